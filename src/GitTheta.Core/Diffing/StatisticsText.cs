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

    /// <summary>
    /// The total line under a model's table: how many groups changed, the elements that differ over every compared group,
    /// and the size of the whole change: ‖Δ‖ of all measured groups together (the root of the sum of their squares), its
    /// ratio to their old norm, and the largest |Δ|.
    /// </summary>
    public static string DescribeTotal(IReadOnlyList<GroupStatistics> statistics)
    {
        var modified = statistics.Count(s => s.Kind == Metadata.ChangeKind.Modified);
        var added = statistics.Count(s => s.Kind == Metadata.ChangeKind.Added);
        var removed = statistics.Count(s => s.Kind == Metadata.ChangeKind.Removed);
        var text = $"{statistics.Count} {(statistics.Count == 1 ? "group" : "groups")}: {modified} modified, {added} added, {removed} removed";
        var compared = statistics.Where(s => s.Delta is { Comparison: not ValueComparison.RawBytes }).Select(s => s.Delta!).ToList();
        if (compared.Count > 0)
        {
            text += $"; changed {Count(compared.Sum(d => d.Changed))}/{Count(compared.Sum(d => d.Total))}";
        }

        var norms = compared.Where(d => d.Norms is not null).Select(d => d.Norms!).ToList();
        if (norms.Count > 0)
        {
            var delta = Math.Sqrt(norms.Sum(n => n.DeltaNorm * n.DeltaNorm));
            var old = Math.Sqrt(norms.Sum(n => n.BeforeNorm * n.BeforeNorm));
            var relative = new DeltaNorms(0, delta, old, 0).RelativeChange;
            text += $"  ‖Δ‖ {Number(delta)}  rel {Number(relative)}  max|Δ| {Number(norms.Max(n => n.MaxAbsDelta))}";
        }

        return text;
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
