using GitTheta.Core.Metadata;

namespace GitTheta.Core.Merges;

/// <summary>Decides the <see cref="GroupMergeState"/> of every group in any of the three versions.</summary>
internal sealed class GroupStateClassifier
{
    private readonly EntryEquivalence equivalence;

    public GroupStateClassifier(EntryEquivalence equivalence)
    {
        this.equivalence = equivalence;
    }

    /// <summary>Every group name of the three versions, in ordinal order, with its state.</summary>
    public IReadOnlyList<MergeGroup> Classify(ThetaMetadata? ancestor, ThetaMetadata ours, ThetaMetadata theirs)
    {
        var baseGroups = ancestor?.Parameters ?? new Dictionary<string, ParameterEntry>();
        return baseGroups.Keys.Union(ours.Parameters.Keys).Union(theirs.Parameters.Keys)
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                baseGroups.TryGetValue(name, out var b);
                ours.Parameters.TryGetValue(name, out var o);
                theirs.Parameters.TryGetValue(name, out var t);
                return new MergeGroup(name, Classify(o, t, b), o, t, b);
            })
            .ToList();
    }

    public GroupMergeState Classify(ParameterEntry? ours, ParameterEntry? theirs, ParameterEntry? ancestor)
    {
        if (equivalence.Equivalent(ours, theirs))
        {
            // Both sides agree; the only question is what they agree on.
            return ours is null ? GroupMergeState.DeletedByBoth
                : ancestor is null ? GroupMergeState.AddedByBothEqually
                : equivalence.Equivalent(ours, ancestor) ? GroupMergeState.Unchanged
                : GroupMergeState.ChangedByBothEqually;
        }

        if (equivalence.Equivalent(ours, ancestor))
        {
            return ancestor is null ? GroupMergeState.AddedByTheirs
                : theirs is null ? GroupMergeState.DeletedByTheirs
                : GroupMergeState.ChangedByTheirs;
        }

        if (equivalence.Equivalent(theirs, ancestor))
        {
            return ancestor is null ? GroupMergeState.AddedByOurs
                : ours is null ? GroupMergeState.DeletedByOurs
                : GroupMergeState.ChangedByOurs;
        }

        // Both moved away from the ancestor, in different directions. git-theta reported "added on both sides with
        // different values" as a deletion; it is its own conflict here.
        return ancestor is null ? GroupMergeState.AddedByBothDifferently
            : ours is null ? GroupMergeState.DeletedByOursChangedByTheirs
            : theirs is null ? GroupMergeState.ChangedByOursDeletedByTheirs
            : GroupMergeState.ChangedByBoth;
    }
}
