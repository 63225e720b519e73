using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;

namespace GitTheta.Core.Repositories;

/// <summary>
/// The git-theta metadata of a checkpoint as git stores it at a revision or in the index (what <c>git theta show</c>
/// reads): the blob's bytes exactly, and their parsed form. No object is read and nothing is rebuilt, except for a
/// git-lfs pointer: then the bytes are the metadata its checkpoint cleans to.
/// </summary>
/// <param name="Commit">The full commit id, or null for the index.</param>
internal sealed record CheckpointVersion(RevisionPath Location, string? Commit, string BlobId, byte[] Bytes, ThetaMetadata Metadata)
{
    /// <summary>"model.safetensors at HEAD~1 (commit 1a2b3c4d5e6f)" or "model.safetensors in the index".</summary>
    public string Description => Describe(Location, Commit);

    /// <exception cref="ThetaException">GT2020 when the revision or the file does not exist; GT2021 when the blob is not git-theta metadata.</exception>
    public static CheckpointVersion Read(GitRepository repository, TrackedBlobReader blobs, RevisionPath location)
    {
        var (commit, blobId) = location.IsIndex ? (null, FindInIndex(repository, location)) : FindInCommit(repository, location);
        var where = Describe(location, commit);
        var read = blobs.ReadBytes(blobId, location.Path, location.ToString());
        if (read is not { } found)
        {
            var prefix = repository.ReadBlob(blobId, MetadataSerializer.MaxMetadataBytes);
            throw NotMetadata(where, location.Path, prefix is null ? "a plain file larger than any git-theta metadata" : CheckpointMaterializer.IsLfsPointer(prefix) ? "a git-lfs pointer" : "a plain file");
        }

        return new CheckpointVersion(location, commit, blobId, found.Bytes, found.Metadata);
    }

    private static string Describe(RevisionPath location, string? commit) =>
        location.IsIndex ? $"'{location.Path}' in {location.Where}" : $"'{location.Path}' at {location.Revision} (commit {commit![..12]})";

    private static (string Commit, string BlobId) FindInCommit(GitRepository repository, RevisionPath location)
    {
        var commit = repository.ResolveCommit(location.Revision!)
            ?? throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"unknown revision '{location.Revision}' in '{location}'; give a branch, tag or commit of this repository ('git log --oneline' lists commits).");
        var where = Describe(location, commit);
        if (repository.FindBlob(commit, location.Path) is { } blob)
        {
            return (commit, blob.BlobId);
        }

        throw repository.IsFolder(commit, location.Path)
            ? new ThetaException(DiagnosticIds.NotFoundAtRevision, $"{where} is a folder, not a file; name a checkpoint inside it ('git theta ls-files' lists them).")
            : new ThetaException(DiagnosticIds.NotFoundAtRevision, $"{where} does not exist; 'git ls-tree -r --name-only {location.Revision}' lists the files of that revision.");
    }

    private static string FindInIndex(GitRepository repository, RevisionPath location)
    {
        if (repository.WorkTree is null)
        {
            throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"a bare repository has no index; name a revision: '<rev>:{location.Path}'.");
        }

        var stages = repository.IndexStages(location.Path);
        if (stages.TryGetValue(location.Stage, out var blobId))
        {
            return blobId;
        }

        if (location.Stage == 0 && stages.Count > 0)
        {
            throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"'{location.Path}' is unmerged in the index; name one side: ':1:{location.Path}' (base), ':2:{location.Path}' (ours) or ':3:{location.Path}' (theirs).");
        }

        throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"'{location.Path}' is not in {location.Where}; 'git add' it, or name a revision ('HEAD:{location.Path}').");
    }

    private static ThetaException NotMetadata(string where, string path, string what) =>
        new(DiagnosticIds.NotThetaMetadata, $"{where} is {what}, not git-theta metadata, so it has no parameter groups to show; 'git theta ls-files' lists the tracked checkpoints (a checkpoint is stored as metadata from the first 'git add' after 'git theta track {path}').");
}
