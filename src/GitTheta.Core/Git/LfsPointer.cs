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
}
