using System.Text;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Git;

/// <summary>
/// git-lfs pointer files, the blobs plain git-lfs stores for its files: a few <c>key value</c> lines starting with
/// <c>version https://git-lfs.github.com/spec/v1</c>, always smaller than <see cref="MaxBytes"/>.
/// </summary>
internal static class LfsPointer
{
    /// <summary>git-lfs reads no blob of this size or more as a pointer.</summary>
    public const int MaxBytes = 1024;

    private static readonly byte[][] VersionLines =
    {
        Encoding.ASCII.GetBytes("version https://git-lfs.github.com/spec/"),

        // Pointers written by git-lfs's predecessor, which git-lfs still reads.
        Encoding.ASCII.GetBytes("version https://hawser.github.com/spec/"),
    };

    public static bool IsPointer(ReadOnlySpan<byte> blob)
    {
        if (blob.Length >= MaxBytes)
        {
            return false;
        }

        foreach (var version in VersionLines)
        {
            if (blob.StartsWith(version))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The oids a pointer names: its object (<c>oid sha256:…</c>) and those of any pointer extension
    /// (<c>ext-0-name sha256:…</c>). Nothing for a blob that is not a pointer.
    /// </summary>
    public static IReadOnlyList<string> Oids(ReadOnlySpan<byte> blob) =>
        IsPointer(blob) ? ObjectIdTokens.In(blob) : Array.Empty<string>();

    /// <summary>
    /// The object a pointer names (its <c>oid sha256:…</c> and <c>size</c> lines), or null for a blob that is not a
    /// pointer, or a pointer with extensions (its object is not the file's content).
    /// </summary>
    public static ObjectRef? Target(ReadOnlySpan<byte> blob)
    {
        if (!IsPointer(blob))
        {
            return null;
        }

        string? oid = null;
        long? size = null;
        foreach (var line in Encoding.ASCII.GetString(blob).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ');
            var (key, value) = space < 0 ? (line, string.Empty) : (line[..space], line[(space + 1)..].Trim());
            if (key.StartsWith("ext-", StringComparison.Ordinal))
            {
                return null;
            }

            if (key == "oid" && value.StartsWith(OidPrefix, StringComparison.Ordinal) && ObjectId.IsValid(value[OidPrefix.Length..]))
            {
                oid = value[OidPrefix.Length..];
            }
            else if (key == "size" && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                size = parsed;
            }
        }

        return oid is not null && size is { } known ? new ObjectRef(oid, known) : null;
    }

    /// <summary>The pointer git-lfs writes for an object (what <c>git lfs pointer --file</c> prints).</summary>
    public static byte[] For(ObjectRef target) =>
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid {OidPrefix}{target.Oid}\nsize {target.Size}\n");

    private const string OidPrefix = "sha256:";
}
