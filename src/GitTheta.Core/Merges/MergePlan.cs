using GitTheta.Core.Metadata;

namespace GitTheta.Core.Merges;

/// <summary>The three versions of a checkpoint and the state of each group: what merges by itself, and which groups conflict.</summary>
internal sealed class MergePlan
{
    public MergePlan(string path, ThetaMetadata? ancestor, ThetaMetadata ours, ThetaMetadata theirs, IReadOnlyList<MergeGroup> groups)
    {
        Path = path;
        Ancestor = ancestor;
        Ours = ours;
        Theirs = theirs;
        Groups = groups;
        Conflicts = groups.Where(g => g.State.IsConflict()).ToList();
    }

    /// <summary>The checkpoint's repository-relative path.</summary>
    public string Path { get; }

    public ThetaMetadata? Ancestor { get; }

    public ThetaMetadata Ours { get; }

    public ThetaMetadata Theirs { get; }

    /// <summary>Every group of the three versions, in ordinal name order.</summary>
    public IReadOnlyList<MergeGroup> Groups { get; }

    /// <summary>The groups no rule resolves by itself, in name order.</summary>
    public IReadOnlyList<MergeGroup> Conflicts { get; }

    public ThetaMetadata? Version(MergeSide side) => side switch
    {
        MergeSide.Ours => Ours,
        MergeSide.Theirs => Theirs,
        _ => Ancestor,
    };
}
