namespace GitTheta.Core.Merges;

/// <summary>
/// α·first + (1−α)·second, element by element in float64. With α = 0.5 and ours/theirs this is exactly
/// (ours + theirs) / 2: the weights are applied once (git-theta divided the weighted sum by the number of inputs
/// again, halving the result).
/// </summary>
internal sealed class AverageStrategy : IMergeStrategy
{
    public const string Alpha = "alpha";

    private readonly MergeSide first;
    private readonly MergeSide second;

    public AverageStrategy(string name, MergeSide first, MergeSide second)
    {
        Name = name;
        this.first = first;
        this.second = second;
        Parameters = new[]
        {
            new MergeParameter(Alpha, "α", $"weight of {first.Label()}; {second.Label()} gets 1 − α", 0.5, 0, 1),
        };
    }

    public string Name { get; }

    public string Description => $"α·{first.Label()} + (1 − α)·{second.Label()}";

    public IReadOnlyList<MergeParameter> Parameters { get; }

    /// <summary>Both branches still have the group (averaging with a deletion means nothing), and both operands agree in dtype and shape.</summary>
    public bool AppliesTo(MergeGroup group) =>
        group.Has(MergeSide.Ours) && group.Has(MergeSide.Theirs) && group.HaveSameLayout(first, second);

    public string Describe(MergeGroup group) => Description;

    public string? CheckArguments(MergeArguments arguments) => null;

    public GroupResolution Resolve(MergeGroup group, IGroupValues values, MergeArguments arguments)
    {
        var alpha = arguments[Alpha];
        return GroupResolution.Elementwise(first, new[] { first, second }, (inputs, count, output) =>
        {
            var a = inputs[0];
            var b = inputs[1];
            for (var i = 0; i < count; i++)
            {
                output[i] = (alpha * a[i]) + ((1 - alpha) * b[i]);
            }
        });
    }
}
