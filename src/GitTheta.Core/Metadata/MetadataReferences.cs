using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>The object ids a blob of theta metadata names, for deciding which stored objects must be kept.</summary>
internal static class MetadataReferences
{
    /// <summary>How far into a blob the metadata marker must appear; smudge and the history scans use the same window.</summary>
    public const int PrefixBytes = 4096;

    /// <summary>True when the blob's first <see cref="PrefixBytes"/> bytes could start theta metadata.</summary>
    public static bool MayBeMetadata(ReadOnlySpan<byte> prefix) =>
        MetadataSerializer.LooksLikeMetadata(prefix.Length > PrefixBytes ? prefix[..PrefixBytes] : prefix);

    /// <summary>
    /// The container, group and update-chain objects the metadata names; nothing for a blob that is not metadata.
    /// Metadata this version cannot read (a newer format, a damaged file) still names its objects as text, and every
    /// oid-shaped token in it is returned instead: another git-theta, or a repaired file, may need them.
    /// </summary>
    public static IReadOnlyList<string> Oids(ReadOnlySpan<byte> blob)
    {
        if (!MayBeMetadata(blob))
        {
            return Array.Empty<string>();
        }

        try
        {
            if (MetadataSerializer.TryParse(blob, "(metadata)") is { } metadata)
            {
                return metadata.Objects.Select(o => o.Oid).Distinct(StringComparer.Ordinal).ToList();
            }
        }
        catch (ThetaException)
        {
        }

        return ObjectIdTokens.In(blob);
    }
}
