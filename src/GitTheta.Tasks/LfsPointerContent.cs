using System.Globalization;
using System.Text;
using GitTheta.Core.Git;

namespace GitTheta.Tasks;

/// <summary>
/// The object a git-lfs pointer file names (<c>oid sha256:…</c> and <c>size …</c>): what a ThetaModel stored by plain
/// git-lfs really is, when a clone without git-lfs (or without its smudge filter) left the pointer in its place.
/// </summary>
internal sealed record LfsPointerContent(string Oid, long Size)
{
    /// <summary>True when the bytes are a git-lfs pointer (small, and starting with a git-lfs version line).</summary>
    public static bool IsPointer(ReadOnlySpan<byte> bytes) => LfsPointer.IsPointer(bytes);

    /// <summary>The object a pointer names, or null when the bytes are not a well-formed pointer.</summary>
    public static LfsPointerContent? TryParse(ReadOnlySpan<byte> bytes)
    {
        if (!IsPointer(bytes))
        {
            return null;
        }

        string? oid = null;
        long? size = null;
        foreach (var line in Encoding.ASCII.GetString(bytes).Split('\n'))
        {
            if (line.StartsWith("oid sha256:", StringComparison.Ordinal))
            {
                var hex = line["oid sha256:".Length..].Trim();
                oid = hex.Length == 64 && hex.All(char.IsAsciiHexDigitLower) ? hex : null;
            }
            else if (line.StartsWith("size ", StringComparison.Ordinal)
                && long.TryParse(line["size ".Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                size = parsed;
            }
        }

        return oid is not null && size is not null ? new LfsPointerContent(oid, size.Value) : null;
    }

    /// <summary>The pointer git-lfs writes for this object (what <c>git lfs smudge</c> reads).</summary>
    public byte[] ToPointer() =>
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{Oid}\nsize {Size.ToString(CultureInfo.InvariantCulture)}\n");
}
