namespace GitTheta.Core.Merges;

/// <summary>α·ours + β·theirs + (1 − α − β)·base: a weighted average of all three versions.</summary>
internal sealed class AverageAllStrategy : IMergeStrategy
{
    public const string StrategyName = "average-all";
    public const string Alpha = "alpha";
    public const string Beta = "beta";

    /// <summary>Room for rounding when weights typed in decimal (0.7 and 0.3) sum to 1.</summary>
    private const double SumTolerance = 1e-12;

    public string Name => StrategyName;

    public string Description => "α·ours + β·theirs + (1 − α − β)·base";

    public IReadOnlyList<MergeParameter> Parameters { get; } = new[]
    {
        new MergeParameter(Alpha, "α", "weight of ours", 1.0 / 3, 0, 1),
        new MergeParameter(Beta, "β", "weight of theirs; base gets 1 − α − β", 1.0 / 3, 0, 1),
    };

    public bool AppliesTo(MergeGroup group) => group.HaveSameLayout(MergeSide.Ours, MergeSide.Theirs, MergeSide.Base);

    public string Describe(MergeGroup group) => Description;

    public string? CheckArguments(MergeArguments arguments) =>
        arguments[Alpha] + arguments[Beta] > 1 + SumTolerance ? "alpha + beta must be at most 1 (base gets 1 − alpha − beta)" : null;

    public GroupResolution Resolve(MergeGroup group, IGroupValues values, MergeArguments arguments)
    {
        var alpha = arguments[Alpha];
        var beta = arguments[Beta];
        var gamma = Math.Max(0, 1 - alpha - beta);
        return GroupResolution.Elementwise(MergeSide.Ours, new[] { MergeSide.Ours, MergeSide.Theirs, MergeSide.Base }, (inputs, count, output) =>
        {
            var (ours, theirs, ancestor) = (inputs[0], inputs[1], inputs[2]);
            for (var i = 0; i < count; i++)
            {
                output[i] = (alpha * ours[i]) + (beta * theirs[i]) + (gamma * ancestor[i]);
            }
        });
    }
}
