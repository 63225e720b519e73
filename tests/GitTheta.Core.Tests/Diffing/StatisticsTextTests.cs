using GitTheta.Core.Diffing;
using GitTheta.Core.Metadata;

namespace GitTheta.Core.Tests.Diffing;

public class StatisticsTextTests
{
    [Theory]
    [InlineData(0.001, "1.0e-03")]
    [InlineData(0.00099999997, "1.0e-03")]
    [InlineData(0.0, "0.0e+00")]
    [InlineData(12345.0, "1.2e+04")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NaN, "nan")]
    public void Numbers_have_two_significant_digits_and_a_signed_exponent(double value, string expected)
    {
        Assert.Equal(expected, StatisticsText.Number(value));
    }

    [Fact]
    public void Each_kind_of_group_has_its_own_description()
    {
        var measured = new ValueDelta(ValueComparison.Measured, 512, 512, new DeltaNorms(1e-3, 0.0226, 0.5, 0));
        Assert.Equal("max|Δ| 1.0e-03  ‖Δ‖ 2.3e-02  rel 4.5e-02  changed 512/512", Describe(ChangeKind.Modified, 512, measured));

        var withNaN = measured with { Norms = measured.Norms! with { NaNs = 3 } };
        Assert.EndsWith("changed 512/512  NaN 3", Describe(ChangeKind.Modified, 512, withNaN));

        Assert.Equal("changed 3/128", Describe(ChangeKind.Modified, 128, new ValueDelta(ValueComparison.Counted, 128, 3, null)));
        Assert.Equal("bytes changed 17/4608", Describe(ChangeKind.Modified, 4608, new ValueDelta(ValueComparison.RawBytes, 4608, 17, null)));
        Assert.Equal("added, 64 elements", Describe(ChangeKind.Added, 64, null));
        Assert.Equal("removed, 64 elements", Describe(ChangeKind.Removed, 64, null));
        Assert.Equal(
            "shape [2, 3] -> [3, 2], values not compared",
            StatisticsText.Describe(new GroupStatistics("w", ChangeKind.Modified, 6) { LayoutChange = "shape [2, 3] -> [3, 2]" }));
    }

    private static string Describe(ChangeKind kind, long elements, ValueDelta? delta) =>
        StatisticsText.Describe(new GroupStatistics("w", kind, elements) { Delta = delta });
}
