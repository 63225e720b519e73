using GitTheta.Core.Tensors;

namespace GitTheta.Core.Merges;

/// <summary>Keeps one side's value as it is: ours, theirs or the common ancestor's.</summary>
public sealed class TakeSideStrategy : IMergeStrategy
{
    private readonly MergeSide side;

    public TakeSideStrategy(MergeSide side)
    {
        this.side = side;
    }

    public string Name => side switch
    {
        MergeSide.Ours => "ours",
        MergeSide.Theirs => "theirs",
        _ => "base",
    };

    public string Description => $"take {Name}";

    public bool AppliesTo(bool hasOurs, bool hasTheirs, bool hasBase) => true;

    public double[]? Merge(TensorInfo info, double[]? ours, double[]? theirs, double[]? ancestor) => side switch
    {
        MergeSide.Ours => ours,
        MergeSide.Theirs => theirs,
        _ => ancestor,
    };
}
