using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>Reading and writing single elements, and whole ranges, of a group's raw bytes as float64.</summary>
internal static class Elements
{
    public static double Get(DType dtype, ReadOnlySpan<byte> data, long index)
    {
        var size = DTypes.SizeOf(dtype);
        Span<double> one = stackalloc double[1];
        ElementConverter.ToDouble(dtype, data.Slice((int)(index * size), size), one);
        return one[0];
    }

    public static void Set(DType dtype, Span<byte> data, long index, double value)
    {
        var size = DTypes.SizeOf(dtype);
        ReadOnlySpan<double> one = stackalloc double[] { value };
        ElementNarrower.FromDouble(dtype, one, data.Slice((int)(index * size), size));
    }

    public static double[] ToDoubles(DType dtype, ReadOnlySpan<byte> data)
    {
        var values = new double[data.Length / DTypes.SizeOf(dtype)];
        ElementConverter.ToDouble(dtype, data, values);
        return values;
    }

    /// <summary>True when two elements are the same value: the same bytes, or both NaN.</summary>
    public static bool Same(DType dtype, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, long index)
    {
        var size = DTypes.SizeOf(dtype);
        var offset = (int)(index * size);
        if (a.Slice(offset, size).SequenceEqual(b.Slice(offset, size)))
        {
            return true;
        }

        return double.IsNaN(Get(dtype, a, index)) && double.IsNaN(Get(dtype, b, index));
    }

    /// <summary>
    /// The rounding error of one element: half a unit in the last place, relative (2^-53 for F64, 2^-24 for F32, 2^-11
    /// for F16, 2^-8 for BF16); integers round to whole numbers, so 0 there.
    /// </summary>
    public static double UnitRoundoff(DType dtype) => dtype switch
    {
        DType.F64 => Math.ScaleB(1, -53),
        DType.F32 => Math.ScaleB(1, -24),
        DType.F16 => Math.ScaleB(1, -11),
        DType.BF16 => Math.ScaleB(1, -8),
        DType.F8_E4M3 => Math.ScaleB(1, -4),
        DType.F8_E5M2 => Math.ScaleB(1, -3),
        _ => 0,
    };

    /// <summary>Factors and vectors are kept in float32, or float64 for groups that are float64 already.</summary>
    public static DType ArithmeticDType(DType groupDType) => groupDType == DType.F64 ? DType.F64 : DType.F32;

    public static byte[] FromDoubles(DType dtype, ReadOnlySpan<double> values)
    {
        var bytes = new byte[values.Length * DTypes.SizeOf(dtype)];
        ElementNarrower.FromDouble(dtype, values, bytes);
        return bytes;
    }
}
