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
        var exact = ExactInFloat32(dtype, bases, diffs, targets);
        if (exact.All(e => e))
        {
            return Float32(name, shape, diffs);
        }

        return Float64(name, dtype, shape, bases, diffs, targets);
    }

    /// <summary>
    /// For each element, whether its difference rounded to float32, added back to the old element in float64 and
    /// written in the group's dtype, gives the new element exactly. Never for float64-wide groups.
    /// </summary>
    public static bool[] ExactInFloat32(DType dtype, ReadOnlySpan<double> bases, ReadOnlySpan<double> diffs, ReadOnlySpan<byte> targets)
    {
        var exact = new bool[diffs.Length];
        if (dtype is DType.F64 or DType.I64 or DType.U64)
        {
            return exact;
        }

        var sums = new double[diffs.Length];
        for (var i = 0; i < diffs.Length; i++)
        {
            sums[i] = bases[i] + (float)diffs[i];
        }

        var size = DTypes.SizeOf(dtype);
        var rebuilt = new byte[targets.Length];
        ElementNarrower.FromDouble(dtype, sums, rebuilt);
        for (var i = 0; i < diffs.Length; i++)
        {
            exact[i] = rebuilt.AsSpan(i * size, size).SequenceEqual(targets.Slice(i * size, size));
        }

        return exact;
    }

    public static UpdateTensor Float32(string name, IReadOnlyList<long> shape, ReadOnlySpan<double> diffs)
    {
        var narrow = new float[diffs.Length];
        for (var i = 0; i < diffs.Length; i++)
        {
            narrow[i] = (float)diffs[i];
        }

        return UpdateTensor.Of(name, DType.F32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
    }

    public static UpdateTensor Float64(string name, DType dtype, IReadOnlyList<long> shape, ReadOnlySpan<double> bases, ReadOnlySpan<double> diffs, ReadOnlySpan<byte> targets) =>
        UpdateTensor.Of(name, DType.F64, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(Exact(dtype, bases, diffs, targets).AsSpan()).ToArray());

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
