using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;

namespace GitTheta.Core.Repositories;

/// <summary>
/// A sharded checkpoint as git stores it at a revision or in the index (what <c>git theta show</c> summarises): its
/// shard index and the version of every shard the index names. Read from metadata alone.
/// </summary>
/// <param name="Location">The index's location.</param>
/// <param name="Disagreements">Where the index and the shards' groups disagree (see <see cref="ShardIndex.Disagreements"/>).</param>
internal sealed record ShardedModelVersion(RevisionPath Location, ShardIndex Index, IReadOnlyList<CheckpointVersion> Shards, IReadOnlyList<string> Disagreements)
{
    /// <summary>
    /// The location of the shard index <paramref name="location"/> names: itself when it is one (a name ending in
    /// .index.json), the one index directly inside it when it is a folder; null otherwise.
    /// </summary>
    public static RevisionPath? FindIndex(ThetaRepository repository, RevisionPath location)
    {
        if (ShardIndex.IsIndexPath(location.Path))
        {
            return location;
        }

        if (location.Revision is { } revision && repository.Git.ResolveCommit(revision) is null)
        {
            return null;
        }

        var files = FolderFiles.Stored(repository, location.Revision is null ? null : repository.Git.ResolveCommit(location.Revision), location.Path);
        var index = files is null ? null : ShardIndex.FindInFolder(files, FolderFiles.Normalize(location.Path), $"'{location}'");
        return index is null ? null : location with { Path = index };
    }

    /// <param name="location">The index's location (see <see cref="FindIndex"/>).</param>
    /// <exception cref="ThetaException">GT2020 when the index does not exist there; GT2036 when it is not a shard index or names a shard that is not a tracked checkpoint there.</exception>
    public static ShardedModelVersion Read(ThetaRepository repository, RevisionPath location)
    {
        var blobId = location.IsIndex
            ? repository.Git.IndexStages(location.Path).GetValueOrDefault(location.Stage)
            : repository.Git.ResolveCommit(location.Revision!) is { } commit ? repository.Git.FindBlob(commit, location.Path)?.BlobId : null;
        var bytes = (blobId is null ? null : repository.Git.ReadBlob(blobId, ShardIndex.MaxBytes))
            ?? throw new ThetaException(DiagnosticIds.NotFoundAtRevision, blobId is null
                ? $"'{location}' does not exist; 'git ls-tree -r --name-only {location.Revision ?? "HEAD"}' lists the files."
                : $"'{location}' is larger than {ShardIndex.MaxBytes >> 20} MiB, too large for a shard index.");
        var index = ShardIndex.Parse(bytes, location.Path, $"'{location}'");
        var shards = index.Shards.Select(shard => ReadShard(repository, location, shard)).ToList();
        var disagreements = index.Disagreements(shards.ToDictionary(
            s => s.Location.Path,
            s => (IReadOnlyCollection<string>)s.Metadata.Parameters.Keys.ToList(),
            StringComparer.Ordinal));
        return new ShardedModelVersion(location, index, shards, disagreements);
    }

    private static CheckpointVersion ReadShard(ThetaRepository repository, RevisionPath index, string shard)
    {
        try
        {
            return repository.ReadVersion(index with { Path = shard });
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.NotFoundAtRevision or DiagnosticIds.NotThetaMetadata)
        {
            throw new ThetaException(DiagnosticIds.ShardIndexInvalid, $"the shard index '{index}' names the shard '{shard}', which is not a tracked checkpoint there: {e.Message}");
        }
    }
}
