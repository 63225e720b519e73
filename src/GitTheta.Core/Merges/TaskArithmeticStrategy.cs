namespace GitTheta.Core.Merges;

/// <summary>
/// Task arithmetic (Ilharco et al., 2023): base + λ·((ours − base) + (theirs − base)). Each branch's change is a
/// task vector; λ = 1 applies both changes in full, λ = 0.5 is the average of ours and theirs.
/// </summary>
internal sealed class TaskArithmeticStrategy : IMergeStrategy
{
    public const string StrategyName = "task-arithmetic";
    public const string Lambda = "lambda";

    public string Name => StrategyName;

    public string Description => "base + λ·((ours − base) + (theirs − base))";

    public IReadOnlyList<MergeParameter> Parameters { get; } = new[]
    {
        new MergeParameter(Lambda, "λ", "scale of the summed task vectors", 1.0),
    };

    public bool AppliesTo(MergeGroup group) => group.HaveSameLayout(MergeSide.Ours, MergeSide.Theirs, MergeSide.Base);

    public string Describe(MergeGroup group) => Description;

    public string? CheckArguments(MergeArguments arguments) => null;

    public GroupResolution Resolve(MergeGroup group, IGroupValues values, MergeArguments arguments)
    {
        var lambda = arguments[Lambda];
        return GroupResolution.Elementwise(MergeSide.Ours, new[] { MergeSide.Ours, MergeSide.Theirs, MergeSide.Base }, (inputs, count, output) =>
        {
            var (ours, theirs, ancestor) = (inputs[0], inputs[1], inputs[2]);
            for (var i = 0; i < count; i++)
            {
                output[i] = ancestor[i] + (lambda * ((ours[i] - ancestor[i]) + (theirs[i] - ancestor[i])));
            }
        });
    }
}
