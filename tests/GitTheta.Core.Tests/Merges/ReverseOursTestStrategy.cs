using GitTheta.Core.Merges;

namespace GitTheta.Core.Tests.Merges;

/// <summary>A test-only strategy that needs a whole value at once (element order reversed), not element-wise chunks.</summary>
internal sealed class ReverseOursTestStrategy : IMergeStrategy
{
    public string Name => "reverse-ours-test";

    public string Description => "our value, elements in reverse order";

    public IReadOnlyList<MergeParameter> Parameters { get; } = Array.Empty<MergeParameter>();

    public bool AppliesTo(MergeGroup group) => group.Has(MergeSide.Ours);

    public string Describe(MergeGroup group) => Description;

    public string? CheckArguments(MergeArguments arguments) => null;

    public GroupResolution Resolve(MergeGroup group, IGroupValues values, MergeArguments arguments) =>
        GroupResolution.Computed(values.Get(MergeSide.Ours).Reverse().ToArray(), MergeSide.Ours);
}
