namespace GitTheta.Core.Storage;

/// <summary>
/// The tensors of a low-rank update's object (an <see cref="UpdateObject"/>): the factors <c>R</c> [rows, k] and
/// <c>C</c> [k, columns] of new = old + R·C, or, for a group of one dimension, the difference itself as <c>diff</c>.
/// </summary>
public static class LowRankObject
{
    public const string RowFactor = "R";
    public const string ColumnFactor = "C";
    public const string Diff = "diff";
}
