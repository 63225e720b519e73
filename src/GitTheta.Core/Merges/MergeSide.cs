namespace GitTheta.Core.Merges;

public enum MergeSide
{
    Ours,
    Theirs,
    Base,
}
