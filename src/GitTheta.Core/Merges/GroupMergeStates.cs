namespace GitTheta.Core.Merges;

/// <summary>What each <see cref="GroupMergeState"/> means for the merge, and how it reads in messages.</summary>
internal static class GroupMergeStates
{
    public static bool IsConflict(this GroupMergeState state) => state is GroupMergeState.ChangedByBoth or GroupMergeState.AddedByBothDifferently
        or GroupMergeState.ChangedByOursDeletedByTheirs or GroupMergeState.DeletedByOursChangedByTheirs;

    /// <summary>The side whose entry an automatically resolved state keeps; null when the group is gone (deleted).</summary>
    public static MergeSide? AutomaticSide(this GroupMergeState state) => state switch
    {
        GroupMergeState.Unchanged or GroupMergeState.ChangedByOurs or GroupMergeState.ChangedByBothEqually
            or GroupMergeState.AddedByOurs or GroupMergeState.AddedByBothEqually => MergeSide.Ours,
        GroupMergeState.ChangedByTheirs or GroupMergeState.AddedByTheirs => MergeSide.Theirs,
        GroupMergeState.DeletedByOurs or GroupMergeState.DeletedByTheirs or GroupMergeState.DeletedByBoth => null,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "a conflict has no automatic resolution"),
    };

    public static string Describe(this GroupMergeState state) => state switch
    {
        GroupMergeState.Unchanged => "unchanged",
        GroupMergeState.ChangedByOurs => "changed by ours",
        GroupMergeState.ChangedByTheirs => "changed by theirs",
        GroupMergeState.ChangedByBothEqually => "changed identically by both",
        GroupMergeState.AddedByOurs => "added by ours",
        GroupMergeState.AddedByTheirs => "added by theirs",
        GroupMergeState.AddedByBothEqually => "added identically by both",
        GroupMergeState.DeletedByOurs => "deleted by ours",
        GroupMergeState.DeletedByTheirs => "deleted by theirs",
        GroupMergeState.DeletedByBoth => "deleted by both",
        GroupMergeState.ChangedByBoth => "changed by both, differently",
        GroupMergeState.AddedByBothDifferently => "added by both with different values",
        GroupMergeState.ChangedByOursDeletedByTheirs => "changed by ours, deleted by theirs",
        GroupMergeState.DeletedByOursChangedByTheirs => "deleted by ours, changed by theirs",
        _ => state.ToString(),
    };
}
