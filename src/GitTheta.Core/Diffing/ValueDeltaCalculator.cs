using System.Runtime.InteropServices;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Diffing;

/// <summary>
/// Compares the two values of one group element by element. Floating-point values are widened to float64 a chunk at
/// a time (so the widened copies stay small whatever the group's size) and summed in a fixed order, so the same two
/// values always give the same numbers. Integer and bool values are compared exactly, never through float64, which
/// cannot tell large int64 values apart.
/// </summary>
internal static class ValueDeltaCalculator
{
    /// <summary>How many elements counting compares at once, so runs of equal ones cost one vectorised comparison.</summary>
    private const int ChunkElements = 4096;

    /// <summary>
    /// Below this magnitude a square falls under float64's smallest normal number and loses digits, so such a sum is
    /// computed again scaled by a power of two (exact): with deltas of 1e-200 the norm is still right, not 0.
    /// </summary>
    private const double SmallestSafeMagnitude = 1e-150;

    /// <param name="rawBlocks">The bytes are quantized blocks (a GGUF U8 group), compared byte by byte.</param>
    public static ValueDelta Compare(DType dtype, ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, bool rawBlocks = false)
    {
        if (before.Length != after.Length)
        {
            throw new ArgumentException($"the values have different lengths ({before.Length} and {after.Length} bytes)", nameof(after));
        }

        if (rawBlocks)
        {
            return new ValueDelta(ValueComparison.RawBytes, before.Length, CountDiffering(before, after), null);
        }

        var size = DTypes.SizeOf(dtype);
        if (before.Length % size != 0)
        {
            throw new ArgumentException($"{before.Length} bytes are not a whole number of {dtype} elements", nameof(before));
        }

        long total = before.Length / size;
        if (DTypes.IsFloatingPoint(dtype))
        {
            return Measure(dtype, before, after, total);
        }

        var changed = dtype == DType.BOOL
            ? CountDifferingBools(before, after)
            : size switch
            {
                8 => CountDiffering(MemoryMarshal.Cast<byte, ulong>(before), MemoryMarshal.Cast<byte, ulong>(after)),
                4 => CountDiffering(MemoryMarshal.Cast<byte, uint>(before), MemoryMarshal.Cast<byte, uint>(after)),
                2 => CountDiffering(MemoryMarshal.Cast<byte, ushort>(before), MemoryMarshal.Cast<byte, ushort>(after)),
                _ => CountDiffering(before, after),
            };
        return new ValueDelta(ValueComparison.Counted, total, changed, null);
    }

    private static ValueDelta Measure(DType dtype, ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, long total)
    {
        var plain = Accumulate(dtype, before, after, deltaExponent: 0, beforeExponent: 0);
        var deltaExponent = NeedsScaling(plain.DeltaSquares, plain.MaxDelta) ? Math.ILogB(plain.MaxDelta) : 0;
        var beforeExponent = NeedsScaling(plain.BeforeSquares, plain.MaxBefore) ? Math.ILogB(plain.MaxBefore) : 0;
        var sums = deltaExponent == 0 && beforeExponent == 0 ? plain : Accumulate(dtype, before, after, deltaExponent, beforeExponent);
        var norms = new DeltaNorms(
            plain.MaxDelta,
            Math.ScaleB(Math.Sqrt(sums.DeltaSquares), deltaExponent),
            Math.ScaleB(Math.Sqrt(sums.BeforeSquares), beforeExponent),
            plain.NaNs);
        return new ValueDelta(ValueComparison.Measured, total, plain.Changed, norms);
    }

    /// <summary>A sum of squares that overflowed, or whose terms were too small to square without losing digits.</summary>
    private static bool NeedsScaling(double sumOfSquares, double largest) =>
        largest > 0 && double.IsFinite(largest) && (double.IsInfinity(sumOfSquares) || largest < SmallestSafeMagnitude);

    /// <summary>One pass over both values; squares are of the elements scaled by 2^-exponent (0: unscaled).</summary>
    private static Sums Accumulate(DType dtype, ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, int deltaExponent, int beforeExponent)
    {
        var sums = new Sums(deltaExponent, beforeExponent);
        WidenedChunks.Walk(dtype, before, after, sums.Add);
        return sums;
    }

    /// <summary>Elements that differ; runs of equal elements are skipped a chunk at a time (vectorised by the runtime).</summary>
    private static long CountDiffering<T>(ReadOnlySpan<T> before, ReadOnlySpan<T> after)
        where T : IEquatable<T>
    {
        long changed = 0;
        for (var offset = 0; offset < before.Length; offset += ChunkElements)
        {
            var count = Math.Min(ChunkElements, before.Length - offset);
            var x = before.Slice(offset, count);
            var y = after.Slice(offset, count);
            if (x.SequenceEqual(y))
            {
                continue;
            }

            for (var i = 0; i < count; i++)
            {
                if (!x[i].Equals(y[i]))
                {
                    changed++;
                }
            }
        }

        return changed;
    }

    /// <summary>Any non-zero byte is true, as numpy and PyTorch read a bool.</summary>
    private static long CountDifferingBools(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after)
    {
        long changed = 0;
        for (var i = 0; i < before.Length; i++)
        {
            if ((before[i] != 0) != (after[i] != 0))
            {
                changed++;
            }
        }

        return changed;
    }

    /// <summary>
    /// Running counts and sums, added to chunk by chunk in element order. Kept scalar: the NaN rule needs a branch per
    /// element, and widening the elements costs more than this loop.
    /// </summary>
    private sealed class Sums
    {
        private readonly int deltaExponent;
        private readonly int beforeExponent;

        public Sums(int deltaExponent, int beforeExponent)
        {
            this.deltaExponent = deltaExponent;
            this.beforeExponent = beforeExponent;
        }

        public long Changed { get; private set; }

        public long NaNs { get; private set; }

        public double MaxDelta { get; private set; }

        public double MaxBefore { get; private set; }

        public double DeltaSquares { get; private set; }

        public double BeforeSquares { get; private set; }

        public bool Add(ReadOnlySpan<double> before, ReadOnlySpan<double> after)
        {
            for (var i = 0; i < before.Length; i++)
            {
                var x = before[i];
                var y = after[i];
                if (double.IsNaN(x) || double.IsNaN(y))
                {
                    // NaN equals nothing, itself included: changed, counted, and kept out of the norms.
                    Changed++;
                    NaNs++;
                    continue;
                }

                var magnitude = Math.Abs(x);
                MaxBefore = Math.Max(MaxBefore, magnitude);
                var scaledBefore = beforeExponent == 0 ? magnitude : Math.ScaleB(magnitude, -beforeExponent);
                BeforeSquares += scaledBefore * scaledBefore;

                // == rather than the bits: -0 and +0 are the same value, and equal infinities did not move.
                if (x == y)
                {
                    continue;
                }

                Changed++;
                var delta = Math.Abs(y - x);
                MaxDelta = Math.Max(MaxDelta, delta);
                var scaledDelta = deltaExponent == 0 ? delta : Math.ScaleB(delta, -deltaExponent);
                DeltaSquares += scaledDelta * scaledDelta;
            }

            return true;
        }
    }
}
