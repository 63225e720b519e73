namespace GitTheta.Core.Storage;

/// <summary>
/// A stored object as metadata names it: its SHA-256 and its size in bytes, and for a small object its bytes
/// (<see cref="Inline"/>): those live in the metadata itself, in git, not in the object store (see <see cref="InlineObjects"/>).
/// Two references to the same oid and size are equal wherever the bytes are kept.
/// </summary>
internal sealed record ObjectRef(string Oid, long Size)
{
    /// <summary>The object's bytes when the metadata carries them (already checked against the oid), else null: the object is in the store.</summary>
    public byte[]? Inline { get; init; }

    /// <summary>True when the bytes travel in the metadata, so no store, fetch or push is involved.</summary>
    public bool IsInline => Inline is not null;

    public bool Equals(ObjectRef? other) => other is not null && Oid == other.Oid && Size == other.Size;

    public override int GetHashCode() => HashCode.Combine(Oid, Size);

    /// <summary>This object as <paramref name="previous"/> keeps it when both are the same object, so an unchanged object keeps its place (and metadata its bytes).</summary>
    public ObjectRef KeptAs(ObjectRef? previous) => previous is not null && Equals(previous) ? previous : this;
}
