using GitTheta.Core.Metadata;

namespace GitTheta.Core.Repositories;

/// <summary>One commit that changed a tracked checkpoint: its metadata there and in its first parent (null where absent or not metadata).</summary>
internal sealed record CheckpointRevision(string Commit, string Date, string Subject, ThetaMetadata? Metadata, ThetaMetadata? Parent)
{
    public MetadataDiff Changes => MetadataDiff.Compare(Parent, Metadata);
}
