using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace GitTheta.Core.Tensors;

/// <summary>
/// Widens raw little-endian elements to float64, for arithmetic only (hashing, comparisons, updates).
/// Stored bytes are never round-tripped through this.
/// </summary>
internal static class ElementConverter
{
    private static readonly double[] F8E4M3Table = BuildF8Table(exponentBits: 4, mantissaBits: 3, bias: 7, hasInfinity: false);
    private static readonly double[] F8E5M2Table = BuildF8Table(exponentBits: 5, mantissaBits: 2, bias: 15, hasInfinity: true);

    /// <summary>Converts <paramref name="destination"/>.Length elements from <paramref name="source"/>.</summary>
    public static void ToDouble(DType dtype, ReadOnlySpan<byte> source, Span<double> destination)
    {
        var n = destination.Length;
        switch (dtype)
        {
            case DType.F64:
                MemoryMarshal.Cast<byte, double>(source[..(n * 8)]).CopyTo(destination);
                break;
            case DType.F32:
                {
                    var src = MemoryMarshal.Cast<byte, float>(source[..(n * 4)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = src[i];
                    }

                    break;
                }

            case DType.F16:
                {
                    var src = MemoryMarshal.Cast<byte, Half>(source[..(n * 2)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = (double)src[i];
                    }

                    break;
                }

            case DType.BF16:
                {
                    var src = MemoryMarshal.Cast<byte, ushort>(source[..(n * 2)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = BitConverter.Int32BitsToSingle(src[i] << 16);
                    }

                    break;
                }

            case DType.F8_E4M3:
                Lookup(F8E4M3Table, source, destination);
                break;
            case DType.F8_E5M2:
                Lookup(F8E5M2Table, source, destination);
                break;
            case DType.I64:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = BinaryPrimitives.ReadInt64LittleEndian(source.Slice(i * 8, 8));
                }

                break;
            case DType.U64:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(source.Slice(i * 8, 8));
                }

                break;
            case DType.I32:
                {
                    var src = MemoryMarshal.Cast<byte, int>(source[..(n * 4)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = src[i];
                    }

                    break;
                }

            case DType.U32:
                {
                    var src = MemoryMarshal.Cast<byte, uint>(source[..(n * 4)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = src[i];
                    }

                    break;
                }

            case DType.I16:
                {
                    var src = MemoryMarshal.Cast<byte, short>(source[..(n * 2)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = src[i];
                    }

                    break;
                }

            case DType.U16:
                {
                    var src = MemoryMarshal.Cast<byte, ushort>(source[..(n * 2)]);
                    for (var i = 0; i < n; i++)
                    {
                        destination[i] = src[i];
                    }

                    break;
                }

            case DType.I8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = (sbyte)source[i];
                }

                break;
            case DType.U8:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = source[i];
                }

                break;
            case DType.BOOL:
                for (var i = 0; i < n; i++)
                {
                    destination[i] = source[i] != 0 ? 1.0 : 0.0;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype));
        }
    }

    private static void Lookup(double[] table, ReadOnlySpan<byte> source, Span<double> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = table[source[i]];
        }
    }

    private static double[] BuildF8Table(int exponentBits, int mantissaBits, int bias, bool hasInfinity)
    {
        var table = new double[256];
        var exponentMask = (1 << exponentBits) - 1;
        var mantissaMask = (1 << mantissaBits) - 1;
        for (var bits = 0; bits < 256; bits++)
        {
            var sign = (bits & 0x80) != 0 ? -1.0 : 1.0;
            var exponent = (bits >> mantissaBits) & exponentMask;
            var mantissa = bits & mantissaMask;
            double value;
            if (exponent == exponentMask && hasInfinity)
            {
                value = mantissa == 0 ? double.PositiveInfinity : double.NaN;
            }
            else if (exponent == exponentMask && !hasInfinity && mantissa == mantissaMask)
            {
                // E4M3 (the "fn" variant) has no infinities; only S.1111.111 is NaN.
                value = double.NaN;
            }
            else if (exponent == 0)
            {
                value = mantissa / (double)(1 << mantissaBits) * Math.Pow(2, 1 - bias);
            }
            else
            {
                value = (1 + (mantissa / (double)(1 << mantissaBits))) * Math.Pow(2, exponent - bias);
            }

            table[bits] = sign * value;
        }

        return table;
    }
}
