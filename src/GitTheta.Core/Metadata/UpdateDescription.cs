namespace GitTheta.Core.Metadata;

/// <summary>
/// The "update" part of a parameter entry: which update type produced the stored object and, for
/// incremental types, the commit whose value it builds on. Extra fields belong to the update type.
/// </summary>
public sealed record UpdateDescription(string Type, string? Base = null, IReadOnlyDictionary<string, string>? Fields = null)
{
    public static UpdateDescription Dense { get; } = new("dense");

    public bool Equals(UpdateDescription? other) =>
        other is not null && Type == other.Type && Base == other.Base
        && (Fields ?? Empty).OrderBy(f => f.Key, StringComparer.Ordinal).SequenceEqual((other.Fields ?? Empty).OrderBy(f => f.Key, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(Type, Base);

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}
