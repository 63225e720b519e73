namespace GitTheta.Core.Storage;

/// <summary>
/// The tensors of a sparse update's object (an <see cref="UpdateObject"/>): flat row-major <c>indices</c> of the
/// changed elements, their differences <c>values</c>, the group's <c>shape</c>, and <c>wide_indices</c> and
/// <c>wide_values</c> for the differences that need float64.
/// </summary>
public static class SparseObject
{
    public const string Indices = "indices";
    public const string Values = "values";
    public const string Shape = "shape";
    public const string WideIndices = "wide_indices";
    public const string WideValues = "wide_values";
}
