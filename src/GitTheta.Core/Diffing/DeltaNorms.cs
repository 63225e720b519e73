namespace GitTheta.Core.Diffing;

/// <summary>
/// The size of Δ = after − before for floating-point values, in float64. Elements that are NaN on either side are
/// counted in <see cref="NaNs"/> (and as changed) but left out of every norm, so one NaN cannot silently turn the
/// numbers of a whole group into NaN.
/// </summary>
/// <param name="MaxAbsDelta">The largest |after − before| over the elements that are not NaN.</param>
/// <param name="DeltaNorm">‖after − before‖₂ over the elements that are not NaN.</param>
/// <param name="BeforeNorm">‖before‖₂ over the elements that are not NaN on either side.</param>
/// <param name="NaNs">Elements that are NaN before, after or both.</param>
internal sealed record DeltaNorms(double MaxAbsDelta, double DeltaNorm, double BeforeNorm, long NaNs)
{
    /// <summary>‖Δ‖₂ / ‖before‖₂; infinite when only the before value is all zeros, 0 when nothing moved.</summary>
    public double RelativeChange => BeforeNorm > 0 ? DeltaNorm / BeforeNorm : DeltaNorm > 0 ? double.PositiveInfinity : 0;
}
