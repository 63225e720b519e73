namespace GitTheta.Core.Git;

/// <summary>How one side of a file differs from the other, in git's terms (the letters of <c>git status</c>).</summary>
internal enum FileChange
{
    Unchanged,
    Added,
    Modified,
    Deleted,
    TypeChanged,
    Unmerged,
}
