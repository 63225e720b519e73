using GitTheta.Core.Diagnostics;
using GitTheta.Core.Diffing;

namespace GitTheta.Core.Repositories;

/// <summary>
/// The versions of a sharded checkpoint a diff compares (<c>git theta diff [&lt;rev&gt; [&lt;rev&gt;]] -- &lt;index or folder&gt;</c>):
/// the shard index at each side names the shards, each read as <see cref="DiffSideReader"/> reads one checkpoint.
/// </summary>
internal sealed class ModelSideReader
{
    private readonly ThetaRepository repository;
    private readonly DiffSideReader sides;

    public ModelSideReader(ThetaRepository repository, DiffSideReader sides)
    {
        this.repository = repository;
        this.sides = sides;
    }

    /// <summary>
    /// The shard index <paramref name="relativePath"/> names: itself when its name ends in .index.json, else the one
    /// index directly inside it when it is a folder on either side; null when it names no sharded checkpoint.
    /// </summary>
    /// <param name="before">The old side's revision; null for the index.</param>
    /// <param name="after">The new side's revision; null for the work tree.</param>
    public string? FindIndex(string relativePath, string? before, string? after)
    {
        if (ShardIndex.IsIndexPath(relativePath))
        {
            return relativePath;
        }

        var folder = FolderFiles.Normalize(relativePath);
        var where = $"'{(folder.Length == 0 ? "." : folder)}'";
        var afterFiles = after is null
            ? repository.WorkTree is { } root ? FolderFiles.InWorkTree(root, folder) : null
            : Commit(after) is { } afterCommit ? FolderFiles.Stored(repository, afterCommit, folder) : null;
        var beforeFiles = FolderFiles.Stored(repository, before is null ? null : Commit(before), folder);
        return (afterFiles is null ? null : ShardIndex.FindInFolder(afterFiles, folder, where))
            ?? (beforeFiles is null ? null : ShardIndex.FindInFolder(beforeFiles, folder, where));
    }

    /// <summary>The staged model; no shards when the index is not staged.</summary>
    public ModelSide FromIndex(string indexPath)
    {
        var blobId = repository.Git.IndexBlobId(indexPath);
        return Read(indexPath, blobId is null ? null : ReadBlob(blobId, ":" + indexPath), ":" + indexPath, shard => sides.FromIndex(shard));
    }

    /// <summary>The model in a revision; no shards when the revision has no such index.</summary>
    public ModelSide FromRevision(string revision, string indexPath)
    {
        var commit = Commit(revision) ?? throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown revision '{revision}'.");
        var blob = repository.Git.FindBlob(commit, indexPath);
        return Read(indexPath, blob is null ? null : ReadBlob(blob.BlobId, $"{revision}:{indexPath}"), $"{revision}:{indexPath}", shard => sides.FromRevision(revision, shard));
    }

    /// <summary>The model in the work tree; each shard is compared with the same shard of <paramref name="previous"/>, so unchanged groups keep their entries.</summary>
    public ModelSide FromWorkTree(string indexPath, ModelSide previous)
    {
        var root = repository.WorkTree ?? throw new ThetaException(DiagnosticIds.NotAGitRepository, "comparing with the working files needs a work tree, but the repository is bare; name two revisions.");
        var file = Path.Combine(root, indexPath);
        var bytes = File.Exists(file) ? ReadFile(file, indexPath) : null;
        return Read(indexPath, bytes, indexPath, shard => sides.FromWorkingFile(shard, previous.Shards.FirstOrDefault(s => s.Path == shard)?.Metadata));
    }

    private ModelSide Read(string indexPath, byte[]? bytes, string where, Func<string, DiffSide> readShard)
    {
        if (bytes is null)
        {
            return new ModelSide(indexPath, Array.Empty<DiffSide>(), new Dictionary<string, string>());
        }

        var index = ShardIndex.Parse(bytes, indexPath, $"'{where}'");
        var shards = index.Shards.Select(shard => readShard(shard) is { Metadata: not null } side
            ? side
            : throw new ThetaException(DiagnosticIds.ShardIndexInvalid, $"the shard index '{where}' names the shard '{shard}', which is not a tracked checkpoint there; commit the shards with their index, or give the shards' paths instead of the index.")).ToList();
        return new ModelSide(indexPath, shards, index.WeightMap) { Disagreements = index.Disagreements(shards.ToDictionary(s => s.Path, s => (IReadOnlyCollection<string>)s.Metadata!.Parameters.Keys.ToList(), StringComparer.Ordinal)) };
    }

    private string? Commit(string revision) => repository.Git.ResolveCommit(revision);

    private byte[] ReadBlob(string blobId, string where) =>
        repository.Git.ReadBlob(blobId, ShardIndex.MaxBytes)
        ?? throw new ThetaException(DiagnosticIds.ShardIndexInvalid, $"'{where}' is larger than {ShardIndex.MaxBytes >> 20} MiB, too large for a shard index; give the shards' paths instead.");

    private static byte[] ReadFile(string file, string indexPath) =>
        new FileInfo(file).Length <= ShardIndex.MaxBytes
            ? File.ReadAllBytes(file)
            : throw new ThetaException(DiagnosticIds.ShardIndexInvalid, $"'{indexPath}' is larger than {ShardIndex.MaxBytes >> 20} MiB, too large for a shard index; give the shards' paths instead.");
}
