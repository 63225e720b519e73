namespace GitTheta.Core.Diffing;

/// <summary>How the two values of one group (same dtype and shape) differ.</summary>
/// <param name="Comparison">What could be compared, given the dtype.</param>
/// <param name="Total">Elements in the group (bytes for <see cref="ValueComparison.RawBytes"/>).</param>
/// <param name="Changed">Elements (bytes) that differ.</param>
/// <param name="Norms">The size of the change for <see cref="ValueComparison.Measured"/> values; null otherwise.</param>
internal sealed record ValueDelta(ValueComparison Comparison, long Total, long Changed, DeltaNorms? Norms);
