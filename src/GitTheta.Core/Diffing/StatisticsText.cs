using System.Globalization;

namespace GitTheta.Core.Diffing;

/// <summary>
/// The text <c>git theta diff --stat</c> prints for a group, after its name: fixed formats and invariant culture, so
/// the same change always prints the same line.
/// </summary>
internal static class StatisticsText
{
    public static string Describe(GroupStatistics statistics)
    {
        if (statistics.LayoutChange is { } layout)
        {
            return $"{layout}, values not compared";
        }

        return statistics.Delta switch
        {
            null => $"{(statistics.Kind == Metadata.ChangeKind.Added ? "added" : "removed")}, {Count(statistics.Elements)} elements",
            { Comparison: ValueComparison.RawBytes } raw => $"bytes changed {Count(raw.Changed)}/{Count(raw.Total)}",
            { Norms: { } norms } measured =>
                $"max|Δ| {Number(norms.MaxAbsDelta)}  ‖Δ‖ {Number(norms.DeltaNorm)}  rel {Number(norms.RelativeChange)}  changed {Count(measured.Changed)}/{Count(measured.Total)}"
                + (norms.NaNs > 0 ? $"  NaN {Count(norms.NaNs)}" : string.Empty),
            { } counted => $"changed {Count(counted.Changed)}/{Count(counted.Total)}",
        };
    }

    /// <summary>Two significant digits and a signed two-digit exponent, 7 characters for every usual magnitude: 1.0e-03.</summary>
    public static string Number(double value) => value switch
    {
        double.NaN => "nan",
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ => value.ToString("0.0e+00", CultureInfo.InvariantCulture),
    };

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
