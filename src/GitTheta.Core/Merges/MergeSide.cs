namespace GitTheta.Core.Merges;

/// <summary>One of the three versions of a three-way merge.</summary>
internal enum MergeSide
{
    Ours,
    Theirs,
    Base,
}
