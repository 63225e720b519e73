namespace GitTheta.Core.Merges;

/// <summary>Keeps one version's entry as it is (no value is read): ours, theirs or the ancestor's. Where that version lacks the group, the group is deleted.</summary>
internal sealed class TakeSideStrategy : IMergeStrategy
{
    private readonly MergeSide side;

    public TakeSideStrategy(MergeSide side)
    {
        this.side = side;
    }

    public string Name => side.Label();

    public string Description => side switch
    {
        MergeSide.Ours => "take our version (our value, or our deletion)",
        MergeSide.Theirs => "take their version (their value, or their deletion)",
        _ => "take the ancestor's version (its value; the group is dropped if the ancestor did not have it)",
    };

    public IReadOnlyList<MergeParameter> Parameters { get; } = Array.Empty<MergeParameter>();

    public bool AppliesTo(MergeGroup group) => true;

    public string Describe(MergeGroup group) => (side, group.Has(side)) switch
    {
        (MergeSide.Ours, true) => "keep our value",
        (MergeSide.Ours, false) => "delete the group, as we did",
        (MergeSide.Theirs, true) => "keep their value",
        (MergeSide.Theirs, false) => "delete the group, as they did",
        (_, true) => "go back to the ancestor's value",
        _ => "drop the group (the ancestor did not have it)",
    };

    public string? CheckArguments(MergeArguments arguments) => null;

    public GroupResolution Resolve(MergeGroup group, IGroupValues values, MergeArguments arguments) => GroupResolution.Take(side);
}
