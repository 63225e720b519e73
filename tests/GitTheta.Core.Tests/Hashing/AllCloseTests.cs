using GitTheta.Core.Hashing;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Hashing;

/// <summary>numpy.allclose semantics: |a − b| ≤ atol + rtol·|b|, NaN equals NaN.</summary>
public class AllCloseTests
{
    private static bool Close(double[] a, double[] b, double atol, double rtol) =>
        AllClose.Check(DType.F64, TestData.Bytes(a), TestData.Bytes(b), atol, rtol);

    [Fact]
    public void Identical_values_are_close_even_with_zero_tolerances()
    {
        var values = TestData.RandomDoubles(1, 100);
        Assert.True(Close(values, values.ToArray(), 0, 0));
    }

    [Fact]
    public void The_absolute_tolerance_bounds_the_difference_inclusively()
    {
        Assert.True(Close(new[] { 1.0 }, new[] { 1.5 }, 0.5, 0));
        Assert.False(Close(new[] { 1.0 }, new[] { 1.5 }, 0.4999, 0));
        Assert.True(Close(new[] { 0.0, 10.0 }, new[] { 0.25, 10.25 }, 0.25, 0));
    }

    [Fact]
    public void The_relative_tolerance_scales_with_b_not_a()
    {
        // |1 - 1.2| = 0.2 ≤ 0.18·1.2 = 0.216, but 0.2 > 0.18·1.0.
        Assert.True(Close(new[] { 1.0 }, new[] { 1.2 }, 0, 0.18));
        Assert.False(Close(new[] { 1.2 }, new[] { 1.0 }, 0, 0.18));
    }

    [Fact]
    public void Absolute_and_relative_tolerances_add_up()
    {
        // |100 - 100.2| = 0.2 ≤ 0.1 + 0.001·100.2 = 0.2002.
        Assert.True(Close(new[] { 100.0 }, new[] { 100.2 }, 0.1, 0.001));
        Assert.False(Close(new[] { 100.0 }, new[] { 100.2 }, 0.1, 0.0009));
        Assert.False(Close(new[] { 100.0 }, new[] { 100.2 }, 0.09, 0.001));
    }

    [Fact]
    public void Default_tolerances_accept_noise_and_refuse_real_changes()
    {
        var values = TestData.RandomDoubles(2, 10_000);
        var noisy = values.Select(v => v * (1 + 1e-7)).ToArray();
        var changed = values.Select(v => v + 1e-3).ToArray();
        Assert.True(Close(values, noisy, 1e-8, 1e-5));
        Assert.False(Close(values, changed, 1e-8, 1e-5));
    }

    [Fact]
    public void One_element_out_of_tolerance_anywhere_makes_the_whole_not_close()
    {
        var values = TestData.RandomDoubles(3, 10_000);
        foreach (var index in new[] { 0, 4095, 4096, 9_999 })
        {
            var changed = values.ToArray();
            changed[index] += 1;
            Assert.False(Close(values, changed, 1e-8, 1e-5), $"index {index}");
        }
    }

    [Fact]
    public void NaN_equals_NaN_but_nothing_else()
    {
        Assert.True(Close(new[] { double.NaN, 1.0 }, new[] { double.NaN, 1.0 }, 0, 0));
        Assert.False(Close(new[] { double.NaN }, new[] { 1.0 }, 1e300, 1));
        Assert.False(Close(new[] { 1.0 }, new[] { double.NaN }, 1e300, 1));
        // Different NaN payloads are still NaN.
        var a = BitConverter.GetBytes(BitConverter.Int64BitsToDouble(0x7FF8000000000001));
        var b = BitConverter.GetBytes(double.NaN);
        Assert.True(AllClose.Check(DType.F64, a, b, 0, 0));
    }

    [Fact]
    public void Infinities_are_close_only_to_themselves()
    {
        Assert.True(Close(new[] { double.PositiveInfinity }, new[] { double.PositiveInfinity }, 0, 0));
        Assert.False(Close(new[] { double.PositiveInfinity }, new[] { double.NegativeInfinity }, 1e300, 1));
        Assert.False(Close(new[] { 1e308 }, new[] { double.PositiveInfinity }, 1e300, 0.5));
    }

    [Fact]
    public void Different_lengths_are_never_close()
    {
        Assert.False(Close(new[] { 1.0, 2.0 }, new[] { 1.0 }, 1, 1));
        Assert.False(AllClose.Check(DType.U8, new byte[] { 1 }, Array.Empty<byte>(), 1e9, 1e9));
    }

    [Fact]
    public void Compares_values_in_their_dtype()
    {
        // BF16 1.0 (0x3F80) and 1.0078125 (0x3F81).
        var a = new byte[] { 0x80, 0x3F };
        var b = new byte[] { 0x81, 0x3F };
        Assert.True(AllClose.Check(DType.BF16, a, b, 0.008, 0));
        Assert.False(AllClose.Check(DType.BF16, a, b, 0.007, 0));
        Assert.True(AllClose.Check(DType.I8, new byte[] { 0xFF }, new byte[] { 0x01 }, 2, 0));
        Assert.False(AllClose.Check(DType.U8, new byte[] { 0xFF }, new byte[] { 0x01 }, 2, 0));
    }
}
