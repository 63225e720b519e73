using GitTheta.Core.Metadata;

namespace GitTheta.Core.Merges;

/// <summary>
/// How one group was merged, for the summary: its state; the strategy that resolved it (null when it resolved by
/// itself); the version whose entry was kept (null for computed values or a deletion); and the resulting entry (null
/// when the group is gone).
/// </summary>
internal sealed record GroupMergeRecord(MergeGroup Group, SelectedStrategy? Strategy, MergeSide? KeptSide, ParameterEntry? Result)
{
    /// <summary>True when a strategy computed new values (a new dense object).</summary>
    public bool Computed => Result is not null && KeptSide is null;

    /// <summary>"ours", "theirs", "base", "deleted" or "new value", for summaries.</summary>
    public string Outcome => Result is null ? "deleted" : KeptSide?.Label() ?? "new value";
}
