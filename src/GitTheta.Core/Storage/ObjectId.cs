namespace GitTheta.Core.Storage;

/// <summary>Object ids are lowercase hex SHA-256 digests, as in git-lfs pointers.</summary>
public static class ObjectId
{
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
