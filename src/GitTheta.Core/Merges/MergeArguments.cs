namespace GitTheta.Core.Merges;

/// <summary>The values of a strategy's parameters for one resolution, defaults filled in.</summary>
internal sealed class MergeArguments
{
    private readonly IReadOnlyDictionary<string, double> values;

    public MergeArguments(IReadOnlyDictionary<string, double> values)
    {
        this.values = values;
    }

    public static MergeArguments None { get; } = new(new Dictionary<string, double>());

    public IReadOnlyDictionary<string, double> Values => values;

    public double this[string name] =>
        values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"merge argument '{name}' was not given");
}
