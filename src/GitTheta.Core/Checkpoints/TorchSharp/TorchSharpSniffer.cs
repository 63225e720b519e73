using System.Text.Unicode;

namespace GitTheta.Core.Checkpoints.TorchSharp;

/// <summary>
/// Recognises a TorchSharp state dict by its layout, since it has no signature: a plausible entry count, then a first
/// entry whose name is non-empty UTF-8 without control characters and whose scalar type, rank and dimensions decode, all within
/// the leading bytes. The scalar type is a byte below 16, which text never has at that place, and the formats with a
/// signature are asked first; an empty module (the single byte 0) is recognised only as a whole one-byte file.
/// </summary>
internal static class TorchSharpSniffer
{
    private const int MaxRank = 64;

    public static bool Sniff(ReadOnlySpan<byte> prefix)
    {
        var at = 0;
        if (!TryVarint(prefix, ref at, out var count) || count > int.MaxValue)
        {
            return false;
        }

        if (count == 0)
        {
            return prefix.Length == 1;
        }

        if (!TryVarint(prefix, ref at, out var nameLength) || nameLength == 0 || nameLength > (ulong)(prefix.Length - at))
        {
            return false;
        }

        var name = prefix.Slice(at, (int)nameLength);
        at += (int)nameLength;
        if (name.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || name.Contains((byte)0x7F) || !Utf8.IsValid(name))
        {
            return false;
        }

        if (!TryVarint(prefix, ref at, out var scalarType) || scalarType > TorchSharpScalarType.MaxCode || scalarType == 8)
        {
            return false;
        }

        if (!TryVarint(prefix, ref at, out var rank) || rank > MaxRank)
        {
            return false;
        }

        for (var d = 0UL; d < rank; d++)
        {
            if (at == prefix.Length)
            {
                return true;
            }

            if (!TryVarint(prefix, ref at, out _))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A LEB128 value of at most 10 bytes that ends inside <paramref name="bytes"/>.</summary>
    private static bool TryVarint(ReadOnlySpan<byte> bytes, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 70 && at < bytes.Length; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return shift < 63 || b <= 1;
            }
        }

        return false;
    }
}
