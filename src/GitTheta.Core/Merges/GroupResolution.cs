namespace GitTheta.Core.Merges;

/// <summary>
/// What a strategy decided for one group: keep one version's entry as it is (which deletes the group when that
/// version lacks it), or new values, in float64, to be stored as a dense object in the group's dtype.
/// </summary>
public sealed class GroupResolution
{
    private GroupResolution(MergeSide? side, double[]? values, MergeSide layoutSide)
    {
        Side = side;
        Values = values;
        LayoutSide = layoutSide;
    }

    /// <summary>The version whose entry is kept, or null when <see cref="Values"/> holds computed values.</summary>
    public MergeSide? Side { get; }

    /// <summary>Computed values, element for element in the layout of <see cref="LayoutSide"/>.</summary>
    public double[]? Values { get; }

    /// <summary>The version whose dtype and shape computed values take.</summary>
    public MergeSide LayoutSide { get; }

    public static GroupResolution Take(MergeSide side) => new(side, null, side);

    public static GroupResolution Computed(double[] values, MergeSide layoutSide) => new(null, values, layoutSide);
}
