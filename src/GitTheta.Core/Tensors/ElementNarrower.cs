using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace GitTheta.Core.Tensors;

/// <summary>
/// Writes float64 results of arithmetic (updates, merges) back in a group's own dtype: round to nearest even
/// for floating types, round half away from zero and saturate for integers, non-zero for BOOL.
/// The inverse of <see cref="ElementConverter.ToDouble"/> wherever the value is representable.
/// </summary>
internal static class ElementNarrower
{
    public static void FromDouble(DType dtype, ReadOnlySpan<double> source, Span<byte> destination)
    {
        var n = source.Length;
        switch (dtype)
        {
            case DType.F64:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case DType.F32:
                {
                    var target = MemoryMarshal.Cast<byte, float>(destination[..(n * 4)]);
                    for (var i = 0; i < n; i++)
                    {
                        target[i] = (float)source[i];
                    }

                    break;
                }

            case DType.F16:
                {
                    var target = MemoryMarshal.Cast<byte, Half>(destination[..(n * 2)]);
                    for (var i = 0; i < n; i++)
                    {
                        target[i] = (Half)source[i];
                    }

                    break;
                }

            case DType.BF16:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(i * 2, 2), ToBFloat16((float)source[i]));
                }

                break;
            case DType.F8_E4M3:
            case DType.F8_E5M2:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = NearestF8(dtype, source[i]);
                }

                break;
            case DType.I64:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(i * 8, 8), (long)Saturate(source[i], long.MinValue, long.MaxValue));
                }

                break;
            case DType.U64:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(i * 8, 8), (ulong)Saturate(source[i], 0, ulong.MaxValue));
                }

                break;
            case DType.I32:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(i * 4, 4), (int)Saturate(source[i], int.MinValue, int.MaxValue));
                }

                break;
            case DType.U32:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(i * 4, 4), (uint)Saturate(source[i], 0, uint.MaxValue));
                }

                break;
            case DType.I16:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(destination.Slice(i * 2, 2), (short)Saturate(source[i], short.MinValue, short.MaxValue));
                }

                break;
            case DType.U16:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(i * 2, 2), (ushort)Saturate(source[i], 0, ushort.MaxValue));
                }

                break;
            case DType.I8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (byte)(sbyte)Saturate(source[i], sbyte.MinValue, sbyte.MaxValue);
                }

                break;
            case DType.U8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (byte)Saturate(source[i], 0, byte.MaxValue);
                }

                break;
            case DType.BOOL:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = source[i] != 0 && !double.IsNaN(source[i]) ? (byte)1 : (byte)0;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype));
        }
    }

    private static double Saturate(double value, double min, double max)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        var rounded = Math.Round(value, MidpointRounding.AwayFromZero);
        return rounded < min ? min : rounded > max ? max : rounded;
    }

    /// <summary>float32 → bfloat16 with round-to-nearest-even, NaN kept quiet.</summary>
    private static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>The F8 code nearest to the value (ties to the even code), found among the 256 codes.</summary>
    private static byte NearestF8(DType dtype, double value)
    {
        Span<double> decoded = stackalloc double[256];
        Span<byte> codes = stackalloc byte[256];
        for (var c = 0; c < 256; c++)
        {
            codes[c] = (byte)c;
        }

        ElementConverter.ToDouble(dtype, codes, decoded);
        if (double.IsNaN(value))
        {
            for (var c = 0; c < 256; c++)
            {
                if (double.IsNaN(decoded[c]))
                {
                    return (byte)c;
                }
            }
        }

        for (var c = 0; c < 256; c++)
        {
            if (decoded[c] == value && (value != 0 || double.IsNegative(decoded[c]) == double.IsNegative(value)))
            {
                return (byte)c;
            }
        }

        var best = 0;
        var bestDistance = double.PositiveInfinity;
        for (var c = 0; c < 256; c++)
        {
            if (double.IsNaN(decoded[c]))
            {
                continue;
            }

            var distance = Math.Abs(decoded[c] - value);
            if (distance < bestDistance || (distance == bestDistance && (c & 1) == 0 && (best & 1) == 1))
            {
                best = c;
                bestDistance = distance;
            }
        }

        return (byte)best;
    }
}
