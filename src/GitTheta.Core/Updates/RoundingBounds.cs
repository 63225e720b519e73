using System.Buffers.Binary;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// For each element of a floating-point group, the interval of real numbers that round to exactly that element in
/// its dtype: half-way to the next value below and above it, pulled in by a hair so that ties (which round to even)
/// never decide. A float64 result inside the interval is written back as the very same element.
/// </summary>
internal static class RoundingBounds
{
    /// <summary>How far inside the half-way points the bounds stay, as a share of the half gap.</summary>
    private const double Margin = 1e-6;

    public static void Compute(DType dtype, ReadOnlySpan<byte> elements, Span<double> low, Span<double> high)
    {
        var size = DTypes.SizeOf(dtype);
        var count = elements.Length / size;
        var below = new byte[elements.Length];
        var above = new byte[elements.Length];
        var signBit = 1UL << ((size * 8) - 1);
        for (var i = 0; i < count; i++)
        {
            var bits = Read(elements.Slice(i * size, size));
            ulong down;
            ulong up;
            if ((bits & ~signBit) == 0)
            {
                // ±0: the neighbours are the smallest subnormals of either sign.
                down = signBit | 1;
                up = 1;
            }
            else if ((bits & signBit) == 0)
            {
                down = bits - 1;
                up = bits + 1;
            }
            else
            {
                down = bits + 1;
                up = bits - 1;
            }

            Write(below.AsSpan(i * size, size), down);
            Write(above.AsSpan(i * size, size), up);
        }

        var values = new double[count];
        var downs = new double[count];
        var ups = new double[count];
        ElementConverter.ToDouble(dtype, elements, values);
        ElementConverter.ToDouble(dtype, below, downs);
        ElementConverter.ToDouble(dtype, above, ups);
        for (var i = 0; i < count; i++)
        {
            var y = values[i];
            if (!double.IsFinite(y) || !double.IsFinite(downs[i]) || !double.IsFinite(ups[i]))
            {
                // Infinities, NaNs and the largest finite values: only the value itself is known to round to it.
                low[i] = y;
                high[i] = y;
                continue;
            }

            low[i] = y - ((y - downs[i]) / 2 * (1 - Margin));
            high[i] = y + ((ups[i] - y) / 2 * (1 - Margin));
        }
    }

    private static ulong Read(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        1 => bytes[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
    };

    private static void Write(Span<byte> bytes, ulong value)
    {
        switch (bytes.Length)
        {
            case 1:
                bytes[0] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
                break;
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value);
                break;
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
                break;
        }
    }
}
