using System.Runtime.InteropServices;
using GitTheta.Core.Diffing;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Diffing;

public class ValueDeltaCalculatorTests
{
    [Fact]
    public void F32_values_give_exact_max_norm_relative_change_and_changed_count()
    {
        var delta = Compare(DType.F32, Bytes(new[] { 1f, 2f, 3f, 4f }), Bytes(new[] { 1f, 2.5f, 3f, 2f }));

        Assert.Equal((ValueComparison.Measured, 4L, 2L), (delta.Comparison, delta.Total, delta.Changed));
        var norms = delta.Norms!;
        Assert.Equal(2.0, norms.MaxAbsDelta);
        Assert.Equal(Math.Sqrt(4.25), norms.DeltaNorm);
        Assert.Equal(Math.Sqrt(30), norms.BeforeNorm);
        Assert.Equal(Math.Sqrt(4.25) / Math.Sqrt(30), norms.RelativeChange);
        Assert.Equal(0, norms.NaNs);
    }

    [Fact]
    public void F64_values_are_measured_without_rounding_to_float32()
    {
        // 1 + 2^-40 is the same float32 as 1: a detour through float32 would report no change.
        var tiny = Math.ScaleB(1, -40);
        var delta = Compare(DType.F64, Bytes(new[] { 1.0, -3.0 }), Bytes(new[] { 1.0 + tiny, -3.0 }));

        Assert.Equal(1, delta.Changed);
        Assert.Equal(tiny, delta.Norms!.MaxAbsDelta);
        Assert.Equal(tiny, delta.Norms.DeltaNorm);
        Assert.Equal(Math.Sqrt(10), delta.Norms.BeforeNorm);
    }

    [Fact]
    public void BF16_values_are_read_as_the_upper_half_of_a_float32()
    {
        // 1.0 = 0x3F80, 1.5 = 0x3FC0, -2.0 = 0xC000 in bfloat16.
        var delta = Compare(DType.BF16, Bytes(new ushort[] { 0x3F80, 0x3FC0 }), Bytes(new ushort[] { 0x3F80, 0xC000 }));

        Assert.Equal((2L, 1L), (delta.Total, delta.Changed));
        Assert.Equal(3.5, delta.Norms!.MaxAbsDelta);
        Assert.Equal(3.5, delta.Norms.DeltaNorm);
        Assert.Equal(Math.Sqrt(3.25), delta.Norms.BeforeNorm);
    }

    [Fact]
    public void F16_values_are_widened_exactly_up_to_the_largest_half()
    {
        var before = Bytes(new[] { BitConverter.HalfToUInt16Bits((Half)0.25), BitConverter.HalfToUInt16Bits((Half)65504) });
        var after = Bytes(new[] { BitConverter.HalfToUInt16Bits((Half)0.5), BitConverter.HalfToUInt16Bits((Half)65504) });
        var delta = Compare(DType.F16, before, after);

        Assert.Equal(1, delta.Changed);
        Assert.Equal(0.25, delta.Norms!.MaxAbsDelta);
        Assert.Equal(0.25, delta.Norms.DeltaNorm);
        Assert.Equal(Math.Sqrt((0.25 * 0.25) + (65504.0 * 65504.0)), delta.Norms.BeforeNorm);
    }

    [Fact]
    public void F8_E4M3_values_are_measured_and_its_nan_code_counts_as_a_nan()
    {
        // 0x38 = 1.0, 0x40 = 2.0, 0x7F = NaN (E4M3 has no infinities).
        var delta = Compare(DType.F8_E4M3, new byte[] { 0x38, 0x38, 0x38 }, new byte[] { 0x40, 0x38, 0x7F });

        Assert.Equal(2, delta.Changed);
        Assert.Equal(1, delta.Norms!.NaNs);
        Assert.Equal(1.0, delta.Norms.MaxAbsDelta);
        Assert.Equal(Math.Sqrt(2), delta.Norms.BeforeNorm);
    }

    [Fact]
    public void A_nan_on_either_side_counts_as_changed_and_is_kept_out_of_the_norms()
    {
        var before = Bytes(new[] { float.NaN, 1f, 2f, float.NaN, 5f });
        var after = Bytes(new[] { float.NaN, 1f, 4f, 0f, float.NaN });
        var delta = Compare(DType.F32, before, after);

        // Elements 0 (NaN on both sides), 3 and 4 (NaN on one side) and 2 (moved by 2) changed.
        Assert.Equal(4, delta.Changed);
        var norms = delta.Norms!;
        Assert.Equal(3, norms.NaNs);
        Assert.Equal(2.0, norms.MaxAbsDelta);
        Assert.Equal(2.0, norms.DeltaNorm);
        Assert.Equal(Math.Sqrt(5), norms.BeforeNorm);
        Assert.True(double.IsFinite(norms.RelativeChange));
    }

    [Fact]
    public void Signed_zeros_and_equal_infinities_are_unchanged_and_an_infinite_move_is_infinite()
    {
        var unchanged = Compare(DType.F32, Bytes(new[] { 0f, float.PositiveInfinity }), Bytes(new[] { -0f, float.PositiveInfinity }));
        Assert.Equal(0, unchanged.Changed);
        Assert.Equal(0.0, unchanged.Norms!.DeltaNorm);

        var infinite = Compare(DType.F32, Bytes(new[] { 1f }), Bytes(new[] { float.NegativeInfinity }));
        Assert.Equal(1, infinite.Changed);
        Assert.Equal(double.PositiveInfinity, infinite.Norms!.MaxAbsDelta);
        Assert.Equal(double.PositiveInfinity, infinite.Norms.DeltaNorm);
    }

    [Fact]
    public void Relative_change_from_all_zeros_is_infinite_and_zero_when_nothing_moved()
    {
        Assert.Equal(double.PositiveInfinity, Compare(DType.F32, Bytes(new[] { 0f, 0f }), Bytes(new[] { 0f, 1f })).Norms!.RelativeChange);
        Assert.Equal(0.0, Compare(DType.F32, Bytes(new[] { 0f, 0f }), Bytes(new[] { 0f, 0f })).Norms!.RelativeChange);
    }

    [Fact]
    public void Norms_of_tiny_and_huge_values_are_scaled_instead_of_underflowing_or_overflowing()
    {
        var small = Compare(DType.F64, Bytes(new[] { 0.0, 0.0 }), Bytes(new[] { 3e-200, 4e-200 }));
        Assert.Equal(5e-200, small.Norms!.DeltaNorm, 5e-214);
        Assert.Equal(4e-200, small.Norms.MaxAbsDelta);

        var huge = Compare(DType.F64, Bytes(new[] { 3e200, 4e200 }), Bytes(new[] { 0.0, 0.0 }));
        Assert.Equal(5e200, huge.Norms!.DeltaNorm, 5e186);
        Assert.Equal(5e200, huge.Norms.BeforeNorm, 5e186);
        Assert.Equal(1.0, huge.Norms.RelativeChange, 1e-14);
    }

    [Fact]
    public void Groups_longer_than_one_chunk_match_a_plain_float64_loop()
    {
        var random = new Random(3);
        var before = Enumerable.Range(0, 10_007).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var after = before.Select((v, i) => i % 3 == 0 ? v + 1e-3f : v).ToArray();

        var delta = Compare(DType.F32, Bytes(before), Bytes(after));

        double max = 0, deltaSquares = 0, beforeSquares = 0;
        var changed = 0;
        for (var i = 0; i < before.Length; i++)
        {
            var d = Math.Abs((double)after[i] - before[i]);
            changed += d > 0 ? 1 : 0;
            max = Math.Max(max, d);
            deltaSquares += d * d;
            beforeSquares += (double)before[i] * before[i];
        }

        Assert.Equal(changed, delta.Changed);
        Assert.Equal(max, delta.Norms!.MaxAbsDelta);
        Assert.Equal(Math.Sqrt(deltaSquares), delta.Norms.DeltaNorm);
        Assert.Equal(Math.Sqrt(beforeSquares), delta.Norms.BeforeNorm);
        Assert.InRange(delta.Norms.MaxAbsDelta, 0.9e-3, 1.1e-3);
    }

    [Fact]
    public void I32_values_are_counted_not_measured()
    {
        var delta = Compare(DType.I32, Bytes(new[] { 1, 2, 3, int.MaxValue }), Bytes(new[] { 1, 5, 3, int.MinValue }));

        Assert.Equal((ValueComparison.Counted, 4L, 2L), (delta.Comparison, delta.Total, delta.Changed));
        Assert.Null(delta.Norms);
    }

    [Fact]
    public void I64_values_are_compared_exactly_beyond_what_float64_can_tell_apart()
    {
        var large = 1L << 60;
        var delta = Compare(DType.I64, Bytes(new[] { large, 7L }), Bytes(new[] { large + 1, 7L }));
        Assert.Equal(1, delta.Changed);
    }

    [Fact]
    public void Bool_values_compare_truth_not_bytes()
    {
        // 1 and 2 are both true.
        var delta = Compare(DType.BOOL, new byte[] { 0, 1, 1, 0 }, new byte[] { 0, 1, 2, 1 });
        Assert.Equal((ValueComparison.Counted, 4L, 1L), (delta.Comparison, delta.Total, delta.Changed));
    }

    [Fact]
    public void Raw_quantized_blocks_count_differing_bytes()
    {
        var delta = Compare(DType.U8, new byte[] { 1, 2, 3, 4, 5 }, new byte[] { 1, 2, 9, 4, 0 }, rawBlocks: true);
        Assert.Equal((ValueComparison.RawBytes, 5L, 2L), (delta.Comparison, delta.Total, delta.Changed));
        Assert.Null(delta.Norms);
    }

    [Fact]
    public void Values_of_different_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ValueDeltaCalculator.Compare(DType.F32, new byte[8], new byte[4]));
    }

    private static ValueDelta Compare(DType dtype, byte[] before, byte[] after, bool rawBlocks = false) =>
        ValueDeltaCalculator.Compare(dtype, before, after, rawBlocks);

    private static byte[] Bytes<T>(T[] values)
        where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
