using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Repositories;

/// <summary>
/// The one place that turns the blob of a tracked path into a checkpoint's metadata, whatever wrote it: theta metadata
/// is read as it is; a git-lfs pointer (history from before <c>git theta track</c>, or a repository from the Hugging
/// Face Hub) is resolved to its LFS object, fetched through git-lfs when missing and verified against the pointer's
/// oid and size, and cleaned as <c>git add</c> would clean it (every group dense), so its groups compare with theta
/// versions group by group. The objects that clean stores are content-addressed like any other, so unchanged groups
/// share them; nothing touches the index or the work tree. The metadata is kept under
/// <c>.git/lfs/theta/lfs-metadata/&lt;oid&gt;</c>, so each LFS object is cleaned once per repository.
/// </summary>
internal sealed class TrackedBlobReader
{
    private readonly GitRepository git;
    private readonly ThetaEngine engine;

    public TrackedBlobReader(GitRepository git, ThetaEngine engine)
    {
        this.git = git;
        this.engine = engine;
    }

    private string CacheDirectory => Path.Combine(engine.Store.ThetaRoot, "lfs-metadata");

    /// <summary>
    /// The metadata a blob stands for: theta metadata, or the checkpoint behind a git-lfs pointer. Null when the blob is
    /// absent, a plain file, or a pointer to something that is not a checkpoint (a tokenizer, a config).
    /// </summary>
    /// <exception cref="ThetaException">GT2006 (damaged metadata); GT2028 when the pointer's object is neither here nor fetchable, or not what the pointer says.</exception>
    public ThetaMetadata? Read(string blobId, string relativePath) => ReadBytes(blobId, relativePath)?.Metadata;

    /// <summary>As <see cref="Read"/>, with the metadata's exact bytes (the blob's, or those the pointer's checkpoint cleans to).</summary>
    /// <param name="label">How messages name the blob (<c>HEAD:model.safetensors</c>); the path when null.</param>
    public (byte[] Bytes, ThetaMetadata Metadata)? ReadBytes(string blobId, string relativePath, string? label = null)
    {
        if (git.BlobSize(blobId) is not { } size || size > MetadataSerializer.MaxMetadataBytes
            || git.ReadBlob(blobId, MetadataSerializer.MaxMetadataBytes) is not { } bytes)
        {
            return null;
        }

        if (MetadataSerializer.TryParse(bytes, label ?? relativePath) is { } metadata)
        {
            return (bytes, metadata);
        }

        // A pointer counts only where git-theta now owns the path: elsewhere it is a git-lfs file, and none of ours.
        return LfsPointer.Target(bytes) is { } target && IsTracked(relativePath) ? ReadLfsObject(target, relativePath) : null;
    }

    /// <summary>As <see cref="ReadBytes"/> for any path, tracked now or not (what <c>git theta migrate</c> converts); null for a plain file that is no checkpoint.</summary>
    public (byte[] Bytes, ThetaMetadata Metadata)? ReadAnyPath(string blobId, string relativePath)
    {
        var bytes = git.BlobSize(blobId) is < LfsPointer.MaxBytes ? git.ReadBlob(blobId, LfsPointer.MaxBytes) : null;
        return bytes is not null && LfsPointer.Target(bytes) is { } target ? ReadLfsObject(target, relativePath) : ReadBytes(blobId, relativePath);
    }

    private bool IsTracked(string relativePath) =>
        git.WorkTree is not { } root || GitAttributes.Get(root, relativePath, "filter") == "theta";

    /// <summary>The metadata of the checkpoint a git-lfs pointer's bytes name (a file the merge driver was handed), or null when they are no pointer or it names no checkpoint.</summary>
    public ThetaMetadata? ReadPointer(ReadOnlySpan<byte> pointer, string relativePath) =>
        LfsPointer.Target(pointer) is { } target ? ReadLfsObject(target, relativePath)?.Metadata : null;

    /// <summary>The metadata the checkpoint stored as LFS object <paramref name="target"/> cleans to; null when it is no checkpoint.</summary>
    public (byte[] Bytes, ThetaMetadata Metadata)? ReadLfsObject(ObjectRef target, string relativePath)
    {
        if (Cached(target, relativePath) is { } cached)
        {
            return cached;
        }

        var what = $"{relativePath} (git-lfs object {target.Oid[..12]}, {target.Size} bytes)";
        Ensure(target, what);
        byte[] cleaned;
        try
        {
            using var input = engine.Store.OpenRead(target.Oid, what);
            cleaned = CleanCheckpoint(input, relativePath);
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.UnknownFormat)
        {
            return null;
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.CorruptObject)
        {
            throw Unavailable(what, "its bytes do not hash to the pointer's oid");
        }

        Remember(target, cleaned);
        return (cleaned, MetadataSerializer.Parse(cleaned, relativePath));
    }

    /// <summary>Makes sure the LFS object is in the local store with the pointer's size, fetching it through git-lfs when missing.</summary>
    private void Ensure(ObjectRef target, string what)
    {
        try
        {
            if (engine.Store.Contains(target, what))
            {
                return;
            }

            engine.Fetcher?.Fetch(new[] { target });
            if (engine.Store.Contains(target, what))
            {
                return;
            }
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.ObjectSizeMismatch)
        {
            throw Unavailable(what, "the local copy does not have the pointer's size");
        }

        throw Unavailable(what, engine.Fetcher is null ? "it is not in the local store and this repository has no remote to fetch it from" : "it is not in the local store and git-lfs could not fetch it");
    }

    private static ThetaException Unavailable(string what, string why) =>
        new(DiagnosticIds.LfsObjectUnavailable, $"{what}: {why}; run 'git lfs fetch --all' (or restore .git/lfs/objects from a clone that has it), then try again.");

    /// <summary>
    /// Cleans checkpoint bytes as a first 'git add' would: each group dense, so the metadata depends on nothing but the
    /// checkpoint and equal groups of different versions share their objects. The objects are stored.
    /// </summary>
    /// <exception cref="ThetaException">GT2005 when the bytes are no checkpoint format git-theta reads.</exception>
    public byte[] CleanCheckpoint(Stream checkpoint, string relativePath) =>
        new ThetaCleaner(engine with { Settings = engine.Settings with { UpdateType = DenseUpdate.TypeName } })
            .Clean(checkpoint, relativePath, previous: null, formatName: null);

    private (byte[] Bytes, ThetaMetadata Metadata)? Cached(ObjectRef target, string relativePath)
    {
        var file = Path.Combine(CacheDirectory, target.Oid);
        try
        {
            if (!File.Exists(file))
            {
                return null;
            }

            var bytes = File.ReadAllBytes(file);
            var metadata = MetadataSerializer.TryParse(bytes, relativePath);

            // Objects pruned since ('git theta gc' knows nothing of this cache) mean cleaning again.
            return metadata is not null && metadata.Objects.All(o => engine.Store.Contains(o.Oid)) ? (bytes, metadata) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ThetaException)
        {
            return null;
        }
    }

    private void Remember(ObjectRef target, byte[] metadata)
    {
        // A cache only: a failure to write it costs a second clean later, never the read.
        var temp = Path.Combine(CacheDirectory, $".{target.Oid}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(CacheDirectory);
            File.WriteAllBytes(temp, metadata);
            File.Move(temp, Path.Combine(CacheDirectory, target.Oid), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
