namespace GitTheta.Core.Metadata;

/// <summary>
/// The "update" part of a parameter entry: which update type produced the stored object and, for incremental
/// types, what it builds on: <see cref="Base"/> is the commit whose value it was computed against, and
/// <see cref="Chain"/> the values below it, nearest first, down to a dense value. The chain makes an entry
/// self-contained: rebuilding it needs only objects, never the base commit (which an amend or a rebase may
/// drop from history). Extra fields belong to the update type.
/// </summary>
internal sealed record UpdateDescription(string Type, string? Base = null, IReadOnlyDictionary<string, string>? Fields = null, IReadOnlyList<UpdateLink>? Chain = null)
{
    public static UpdateDescription Dense { get; } = new("dense");

    /// <summary>How many incremental updates lie between this entry's value and the dense value it starts from.</summary>
    public int Depth => Chain?.Count ?? 0;

    public bool Equals(UpdateDescription? other) =>
        other is not null && Type == other.Type && Base == other.Base
        && (Fields ?? EmptyFields).OrderBy(f => f.Key, StringComparer.Ordinal).SequenceEqual((other.Fields ?? EmptyFields).OrderBy(f => f.Key, StringComparer.Ordinal))
        && (Chain ?? EmptyChain).SequenceEqual(other.Chain ?? EmptyChain);

    public override int GetHashCode() => HashCode.Combine(Type, Base, Depth);

    private static readonly IReadOnlyDictionary<string, string> EmptyFields = new Dictionary<string, string>();

    private static readonly IReadOnlyList<UpdateLink> EmptyChain = Array.Empty<UpdateLink>();
}
