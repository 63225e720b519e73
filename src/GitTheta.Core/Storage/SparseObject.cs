namespace GitTheta.Core.Storage;

/// <summary>
/// The tensors of a sparse update's object (an <see cref="UpdateObject"/>): flat row-major <c>indices</c> of the
/// changed elements, their differences <c>values</c>, the group's <c>shape</c>, and <c>wide_indices</c> and
/// <c>wide_values</c> for the differences that need float64.
/// </summary>
internal static class SparseObject
{
    /// <summary>Flat row-major positions of the changed elements (I32, or I64 past 2^31 elements).</summary>
    public const string Indices = "indices";

    /// <summary>The differences at <see cref="Indices"/> (F32, or F64 when none is exact in F32).</summary>
    public const string Values = "values";

    /// <summary>The group's shape (I64), so an update cannot be applied to a group of another shape.</summary>
    public const string Shape = "shape";

    /// <summary>Positions of the differences F32 would not rebuild exactly.</summary>
    public const string WideIndices = "wide_indices";

    /// <summary>The F64 differences at <see cref="WideIndices"/>.</summary>
    public const string WideValues = "wide_values";
}
