namespace GitTheta.Core.Merges;

/// <summary>
/// What a strategy decided for one group: keep one version's entry as it is (which deletes the group when that
/// version lacks it), or new values to be stored as a dense object in the group's dtype, given either element-wise
/// (a combiner over operand versions, run chunk by chunk) or whole (float64 values a strategy computed itself).
/// </summary>
internal sealed class GroupResolution
{
    private GroupResolution(MergeSide? side, MergeSide layoutSide, double[]? values, IReadOnlyList<MergeSide>? operands, ElementCombiner? combiner)
    {
        Side = side;
        LayoutSide = layoutSide;
        Values = values;
        Operands = operands;
        Combiner = combiner;
    }

    /// <summary>The version whose entry is kept, or null when new values are computed.</summary>
    public MergeSide? Side { get; }

    /// <summary>The version whose dtype and shape computed values take.</summary>
    public MergeSide LayoutSide { get; }

    /// <summary>Whole computed values, element for element in the layout of <see cref="LayoutSide"/>; null otherwise.</summary>
    public double[]? Values { get; }

    /// <summary>The versions an element-wise combination reads, in the order the combiner receives them; null otherwise.</summary>
    public IReadOnlyList<MergeSide>? Operands { get; }

    public ElementCombiner? Combiner { get; }

    public static GroupResolution Take(MergeSide side) => new(side, side, null, null, null);

    public static GroupResolution Computed(double[] values, MergeSide layoutSide) => new(null, layoutSide, values, null, null);

    /// <summary>Values computed element by element from <paramref name="operands"/>, which must share the layout side's dtype and shape.</summary>
    public static GroupResolution Elementwise(MergeSide layoutSide, IReadOnlyList<MergeSide> operands, ElementCombiner combiner) =>
        new(null, layoutSide, null, operands, combiner);

    /// <summary>The computed values in full (for whole-value use and tests); null when an entry is kept.</summary>
    public double[]? Evaluate(IGroupValues values)
    {
        if (Values is not null || Combiner is null)
        {
            return Values;
        }

        var inputs = Operands!.Select(values.Get).ToArray();
        var output = new double[inputs[0].Length];
        Combiner(inputs, output.Length, output);
        return output;
    }
}
