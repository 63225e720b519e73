using System.Security.Cryptography;

namespace GitTheta.Core.Storage;

/// <summary>Object ids are lowercase hex SHA-256 digests, as in git-lfs pointers.</summary>
internal static class ObjectId
{
    /// <summary>The reference of the object made of <paramref name="header"/> followed by <paramref name="value"/>, without copying them together.</summary>
    public static ObjectRef Of(ReadOnlySpan<byte> header, ReadOnlySpan<byte> value)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(value);
        return new ObjectRef(Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), header.Length + (long)value.Length);
    }

    public static bool IsValid(string? oid)
    {
        if (oid is null || oid.Length != 64)
        {
            return false;
        }

        foreach (var c in oid)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
