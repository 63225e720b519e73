namespace GitTheta.Core.Storage;

/// <summary>
/// The tensors of a low-rank update's object (an <see cref="UpdateObject"/>): the factors <c>R</c> [rows, k] and
/// <c>C</c> [k, columns] of new = old + R·C, or, for a group of one dimension, the difference itself as <c>diff</c>.
/// </summary>
internal static class LowRankObject
{
    /// <summary>R [rows, k].</summary>
    public const string RowFactor = "R";

    /// <summary>C [k, columns].</summary>
    public const string ColumnFactor = "C";

    /// <summary>The difference of a group of one dimension (or a scalar), exactly.</summary>
    public const string Diff = "diff";
}
