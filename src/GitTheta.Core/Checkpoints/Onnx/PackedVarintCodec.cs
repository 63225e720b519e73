using System.Buffers.Binary;
using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>
/// The ONNX typed fields <c>int32_data</c>, <c>int64_data</c> and <c>uint64_data</c>: one packed protobuf
/// varint per element. Signed element types are sign-extended to 64 bits (as protobuf writes an int32 or
/// int64); the others, including the bit patterns of FLOAT16, BFLOAT16 and FLOAT8 in <c>int32_data</c>,
/// are written as non-negative numbers. A group is only made of a field whose bytes this encoding gives
/// back exactly, so an unchanged model is rebuilt byte for byte.
/// </summary>
internal sealed class PackedVarintCodec : IGroupDecoder
{
    public static PackedVarintCodec Instance { get; } = new();

    /// <summary>Which typed field may hold which dtype (onnx.proto); anything else stays in the container.</summary>
    public static bool Holds(int field, DType dtype) => field switch
    {
        OnnxFields.TensorInt32Data => dtype is DType.I32 or DType.I16 or DType.I8 or DType.U16 or DType.U8 or DType.BOOL
            or DType.F16 or DType.BF16 or DType.F8_E4M3 or DType.F8_E5M2,
        OnnxFields.TensorInt64Data => dtype is DType.I64,
        OnnxFields.TensorUInt64Data => dtype is DType.U32 or DType.U64,
        _ => false,
    };

    public byte[] Decode(ReadOnlySpan<byte> stored, TensorInfo info) =>
        TryDecode(stored, info.DType, info.ElementCount, out var value) == DecodeResult.Exact
            ? value
            : throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"the typed data of initializer '{info.Name}' changed while it was read.");

    public enum DecodeResult
    {
        Exact,
        WrongCount,
        NotCanonical,
    }

    /// <summary>Decodes <paramref name="count"/> elements; <see cref="DecodeResult.NotCanonical"/> when encoding them again would not give the same bytes.</summary>
    public static DecodeResult TryDecode(ReadOnlySpan<byte> stored, DType dtype, long count, out byte[] value)
    {
        value = Array.Empty<byte>();
        var size = DTypes.SizeOf(dtype);
        if (count > stored.Length)
        {
            return DecodeResult.WrongCount;
        }

        var decoded = new byte[count * size];
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            var start = position;
            if (!TryReadVarint(stored, ref position, out var raw))
            {
                return DecodeResult.WrongCount;
            }

            if (!TryNarrow(dtype, raw, decoded.AsSpan(i * size, size)) || Width(Widen(dtype, decoded.AsSpan(i * size, size))) != position - start)
            {
                return DecodeResult.NotCanonical;
            }
        }

        if (position != stored.Length)
        {
            return DecodeResult.WrongCount;
        }

        value = decoded;
        return DecodeResult.Exact;
    }

    /// <summary>The packed varints of a value of <paramref name="dtype"/>.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> value, DType dtype)
    {
        var size = DTypes.SizeOf(dtype);
        var output = new MemoryStream(value.Length + (value.Length / 2));
        Span<byte> buffer = stackalloc byte[10];
        for (var offset = 0; offset < value.Length; offset += size)
        {
            var n = Write(Widen(dtype, value.Slice(offset, size)), buffer);
            output.Write(buffer[..n]);
        }

        return output.ToArray();
    }

    /// <summary>Bytes of the minimal varint for <paramref name="value"/>.</summary>
    public static int Width(ulong value)
    {
        var width = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            width++;
        }

        return width;
    }

    public static int Write(ulong value, Span<byte> destination)
    {
        var n = 0;
        while (value >= 0x80)
        {
            destination[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[n++] = (byte)value;
        return n;
    }

    private static bool IsSigned(DType dtype) => dtype is DType.I64 or DType.I32 or DType.I16 or DType.I8;

    /// <summary>The 64-bit number protobuf writes for one element.</summary>
    private static ulong Widen(DType dtype, ReadOnlySpan<byte> element) => (dtype, element.Length) switch
    {
        (_, 8) => BinaryPrimitives.ReadUInt64LittleEndian(element),
        (_, 4) when IsSigned(dtype) => (ulong)(long)BinaryPrimitives.ReadInt32LittleEndian(element),
        (_, 4) => BinaryPrimitives.ReadUInt32LittleEndian(element),
        (_, 2) when IsSigned(dtype) => (ulong)(long)BinaryPrimitives.ReadInt16LittleEndian(element),
        (_, 2) => BinaryPrimitives.ReadUInt16LittleEndian(element),
        (_, _) when IsSigned(dtype) => (ulong)(long)(sbyte)element[0],
        _ => element[0],
    };

    /// <summary>Writes one element of <paramref name="dtype"/>; false when the number is out of its range.</summary>
    private static bool TryNarrow(DType dtype, ulong raw, Span<byte> element)
    {
        var signed = (long)raw;
        switch (element.Length)
        {
            case 8:
                BinaryPrimitives.WriteUInt64LittleEndian(element, raw);
                return true;
            case 4 when IsSigned(dtype):
                BinaryPrimitives.WriteInt32LittleEndian(element, (int)signed);
                return signed is >= int.MinValue and <= int.MaxValue;
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(element, (uint)raw);
                return raw <= uint.MaxValue;
            case 2 when IsSigned(dtype):
                BinaryPrimitives.WriteInt16LittleEndian(element, (short)signed);
                return signed is >= short.MinValue and <= short.MaxValue;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(element, (ushort)raw);
                return raw <= ushort.MaxValue;
            default:
                element[0] = (byte)raw;
                return IsSigned(dtype) ? signed is >= sbyte.MinValue and <= sbyte.MaxValue : raw <= byte.MaxValue;
        }
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 70 && position < bytes.Length; shift += 7)
        {
            var b = bytes[position++];
            if (shift == 63 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
