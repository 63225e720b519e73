using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// Differences between new and old elements, stored so that adding them back gives the new elements exactly: in
/// float32 when that already does (the usual case: a fine-tune moves weights by less than they are, and such a
/// difference of two float32 numbers is exact), else in float64, which is exact for every narrower dtype.
/// </summary>
internal static class DiffEncoding
{
    /// <param name="dtype">The group's dtype.</param>
    /// <param name="bases">The old elements, widened.</param>
    /// <param name="diffs">new − old, in float64.</param>
    /// <param name="targets">The new elements' bytes, in the group's dtype, in the same order.</param>
    public static UpdateTensor Encode(string name, DType dtype, IReadOnlyList<long> shape, ReadOnlySpan<double> bases, ReadOnlySpan<double> diffs, ReadOnlySpan<byte> targets)
    {
        if (dtype is not (DType.F64 or DType.I64 or DType.U64))
        {
            var narrow = new float[diffs.Length];
            var sums = new double[diffs.Length];
            for (var i = 0; i < diffs.Length; i++)
            {
                narrow[i] = (float)diffs[i];
                sums[i] = bases[i] + narrow[i];
            }

            var rebuilt = new byte[targets.Length];
            ElementNarrower.FromDouble(dtype, sums, rebuilt);
            if (rebuilt.AsSpan().SequenceEqual(targets))
            {
                return UpdateTensor.Of(name, DType.F32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
            }
        }

        return UpdateTensor.Of(name, DType.F64, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(Exact(dtype, bases, diffs, targets)).ToArray());
    }

    /// <summary>
    /// The float64 differences, each nudged by a few units in the last place where old + difference would round off
    /// the new element (only float64-wide groups can get there: the difference itself was rounded).
    /// </summary>
    private static double[] Exact(DType dtype, ReadOnlySpan<double> bases, ReadOnlySpan<double> diffs, ReadOnlySpan<byte> targets)
    {
        const int MaxNudges = 4;
        var size = DTypes.SizeOf(dtype);
        var result = diffs.ToArray();
        var one = new byte[size];
        Span<double> sum = stackalloc double[1];
        for (var i = 0; i < result.Length; i++)
        {
            var target = targets.Slice(i * size, size);
            if (!double.IsFinite(result[i]) || Rounds(dtype, bases[i] + result[i], target, one, sum))
            {
                continue;
            }

            for (var step = 1; step <= MaxNudges; step++)
            {
                var up = result[i];
                var down = result[i];
                for (var k = 0; k < step; k++)
                {
                    up = Math.BitIncrement(up);
                    down = Math.BitDecrement(down);
                }

                if (Rounds(dtype, bases[i] + up, target, one, sum))
                {
                    result[i] = up;
                    break;
                }

                if (Rounds(dtype, bases[i] + down, target, one, sum))
                {
                    result[i] = down;
                    break;
                }
            }
        }

        return result;
    }

    private static bool Rounds(DType dtype, double value, ReadOnlySpan<byte> target, byte[] scratch, Span<double> one)
    {
        one[0] = value;
        ElementNarrower.FromDouble(dtype, one, scratch);
        return scratch.AsSpan().SequenceEqual(target);
    }
}
