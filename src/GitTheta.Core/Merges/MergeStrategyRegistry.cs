using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Merges;

/// <summary>Every merge strategy the engine knows; adding one is adding one class here.</summary>
public sealed class MergeStrategyRegistry
{
    private readonly Dictionary<string, IMergeStrategy> strategies;

    public MergeStrategyRegistry(IEnumerable<IMergeStrategy> strategies)
    {
        this.strategies = strategies.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public static MergeStrategyRegistry Default { get; } = new(new IMergeStrategy[]
    {
        new TakeSideStrategy(MergeSide.Ours),
        new TakeSideStrategy(MergeSide.Theirs),
        new TakeSideStrategy(MergeSide.Base),
    });

    public IEnumerable<string> Names => strategies.Keys.Order(StringComparer.Ordinal);

    public IMergeStrategy Get(string name) =>
        strategies.TryGetValue(name, out var strategy)
            ? strategy
            : throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown merge strategy '{name}'. Known strategies: {string.Join(", ", Names)}.");
}
