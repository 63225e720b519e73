namespace GitTheta.Core.Merges;

/// <summary>Every merge strategy the engine knows; adding one is adding one class here.</summary>
internal sealed class MergeStrategyRegistry
{
    private readonly List<IMergeStrategy> strategies;

    public MergeStrategyRegistry(IEnumerable<IMergeStrategy> strategies)
    {
        this.strategies = strategies.ToList();
    }

    public static MergeStrategyRegistry Default { get; } = new(new IMergeStrategy[]
    {
        new TakeSideStrategy(MergeSide.Ours),
        new TakeSideStrategy(MergeSide.Theirs),
        new TakeSideStrategy(MergeSide.Base),
        new AverageStrategy("average", MergeSide.Ours, MergeSide.Theirs),
        new AverageAllStrategy(),
        new AverageStrategy("average-ours-base", MergeSide.Ours, MergeSide.Base),
        new AverageStrategy("average-theirs-base", MergeSide.Theirs, MergeSide.Base),
        new TaskArithmeticStrategy(),
    });

    /// <summary>The strategies in menu order.</summary>
    public IReadOnlyList<IMergeStrategy> Strategies => strategies;

    public IEnumerable<string> Names => strategies.Select(s => s.Name);

    public IMergeStrategy? Find(string name) => strategies.FirstOrDefault(s => s.Name == name);

    /// <summary>The strategies that can resolve a group, in menu order.</summary>
    public IEnumerable<IMergeStrategy> ApplicableTo(MergeGroup group) => strategies.Where(s => s.AppliesTo(group));
}
