using GitTheta.Core.Merges;

namespace GitTheta.Core.Tests.Merges;

/// <summary>Values handed to a strategy directly; records which sides were read.</summary>
internal sealed class FixedGroupValues : IGroupValues
{
    private readonly Dictionary<MergeSide, double[]> values = new();

    public FixedGroupValues(double[]? ours = null, double[]? theirs = null, double[]? ancestor = null)
    {
        if (ours is not null)
        {
            values[MergeSide.Ours] = ours;
        }

        if (theirs is not null)
        {
            values[MergeSide.Theirs] = theirs;
        }

        if (ancestor is not null)
        {
            values[MergeSide.Base] = ancestor;
        }
    }

    public List<MergeSide> Read { get; } = new();

    public double[] Get(MergeSide side)
    {
        Read.Add(side);
        return values[side];
    }
}
