namespace GitTheta.Core.Storage;

/// <summary>Finds object ids written as text: runs of exactly 64 lowercase hex digits that no other letter or digit touches.</summary>
internal static class ObjectIdTokens
{
    public static List<string> In(ReadOnlySpan<byte> text)
    {
        var found = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (!IsAlphanumeric(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && IsAlphanumeric(text[i]))
            {
                i++;
            }

            if (i - start == 64 && IsLowercaseHex(text[start..i]))
            {
                found.Add(System.Text.Encoding.ASCII.GetString(text[start..i]));
            }
        }

        return found;
    }

    private static bool IsAlphanumeric(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z');

    private static bool IsLowercaseHex(ReadOnlySpan<byte> run)
    {
        foreach (var b in run)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }
}
