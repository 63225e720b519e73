using System.Security.Cryptography;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.IO;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Repositories;

/// <summary>
/// Writes a tracked checkpoint as of any revision to any file, through the engine and without a git filter
/// (what <c>git theta materialize</c> and the MSBuild tasks do): the metadata blob is read from git, the objects
/// come from the local store (fetched through git-lfs when missing), and the checkpoint is written to a temp file
/// beside the destination and renamed over it, so a reader never sees half a model.
/// </summary>
internal sealed class CheckpointMaterializer
{
    private const string LfsPointerPrefix = "version https://git-lfs.github.com/spec/";

    private readonly GitRepository repository;
    private readonly IObjectFetcher? fetcher;
    private readonly ThetaSmudger smudger;
    private readonly TrackedBlobReader blobs;

    /// <summary>A materializer over the engine of <paramref name="repository"/> (its store, settings and fetcher).</summary>
    internal CheckpointMaterializer(ThetaRepository repository)
        : this(repository.Git, repository.Engine)
    {
    }

    private CheckpointMaterializer(GitRepository repository, ThetaEngine engine)
    {
        this.repository = repository;
        fetcher = engine.Fetcher;
        smudger = new ThetaSmudger(engine);
        blobs = new TrackedBlobReader(repository, engine);
    }

    /// <summary>The full id of the commit a revision (tag, branch, sha, expression) names, or null when it names none.</summary>
    public string? ResolveCommit(string revision) => repository.ResolveCommit(revision);

    /// <summary>The id of the commit checked out (HEAD), or null in a repository without commits.</summary>
    public string? HeadCommit() => repository.ResolveCommit("HEAD");

    /// <summary>The file at <paramref name="relativePath"/> (repository-relative, '/') in a commit, or null when the commit has no such file.</summary>
    public RevisionBlob? Find(string commit, string relativePath) => repository.FindBlob(commit, relativePath);

    /// <summary>
    /// The theta metadata a blob holds, or that of the checkpoint a git-lfs pointer names (cleaned on the fly, see
    /// <see cref="TrackedBlobReader"/>); null when the blob is something else (a plain file, a pointer to a non-checkpoint) or absent.
    /// </summary>
    public ThetaMetadata? ReadMetadata(string blobId, string relativePath) => blobs.Read(blobId, relativePath);

    /// <summary>The id of the blob staged in the index for a path, or null when nothing is staged for it.</summary>
    public string? IndexBlobId(string relativePath) => repository.IndexBlobId(relativePath);

    /// <summary>The id git gives a blob with these bytes (SHA-1 of "blob &lt;size&gt;\0" and the bytes).</summary>
    public static string BlobId(ReadOnlySpan<byte> content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes($"blob {content.Length}\0"));
        hash.AppendData(content);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>True when the bytes are a git-lfs pointer rather than content.</summary>
    public static bool IsLfsPointer(ReadOnlySpan<byte> content) =>
        content.StartsWith(Encoding.ASCII.GetBytes(LfsPointerPrefix));

    /// <summary>Objects the checkpoint needs that are not in the local store.</summary>
    public IReadOnlyList<ObjectRef> MissingObjects(ThetaMetadata metadata) =>
        metadata.Objects.Where(o => !repository.ObjectStore.Contains(o)).DistinctBy(o => o.Oid).ToList();

    /// <summary>Fetches every missing object of these checkpoints in one git-lfs session; returns those still missing.</summary>
    public IReadOnlyList<ObjectRef> Prefetch(IEnumerable<ThetaMetadata> checkpoints)
    {
        var missing = checkpoints.SelectMany(MissingObjects).DistinctBy(o => o.Oid).ToList();
        if (missing.Count > 0 && fetcher is not null)
        {
            fetcher.Fetch(missing);
        }

        return missing.Where(o => !repository.ObjectStore.Contains(o)).ToList();
    }

    /// <summary>
    /// Writes the file a committed blob describes to <paramref name="destination"/>: the checkpoint when the blob is
    /// theta metadata, else the blob itself (a file git stores as it is). A git-lfs pointer is refused: it is not a
    /// git-theta model, and its content is not the file.
    /// </summary>
    /// <returns>The metadata written from, or null when the blob was written as it is.</returns>
    public ThetaMetadata? Materialize(RevisionBlob blob, string relativePath, string destination)
    {
        if (ReadMetadata(blob.BlobId, relativePath) is { } metadata)
        {
            Write(metadata, relativePath, destination);
            return metadata;
        }

        Stream OpenBlob() => repository.OpenBlob(blob.BlobId)
            ?? throw new ThetaException(DiagnosticIds.GitFailed, $"{relativePath}: blob {blob.BlobId} of commit {blob.Commit} is not in the repository; run 'git fetch'.");
        using (var head = OpenBlob())
        {
            var prefix = new byte[Math.Min(LfsPointerPrefix.Length, blob.Size)];
            head.ReadExactly(prefix);
            if (IsLfsPointer(prefix))
            {
                throw new ThetaException(
                    DiagnosticIds.PathNotTracked,
                    $"{relativePath}: the version in commit {blob.Commit} is a git-lfs pointer, not git-theta metadata; track the file with git-theta ('git theta track {relativePath}') and commit it again.");
            }
        }

        WriteAtomically(destination, output =>
        {
            using var content = OpenBlob();
            content.CopyTo(output, 1 << 20);
        });
        return null;
    }

    /// <summary>Writes the checkpoint that metadata bytes (a work-tree file checked out without the filter) describe.</summary>
    public ThetaMetadata Materialize(ReadOnlySpan<byte> metadataBytes, string relativePath, string destination)
    {
        var metadata = MetadataSerializer.Parse(metadataBytes, relativePath);
        Write(metadata, relativePath, destination);
        return metadata;
    }

    /// <summary>Writes the checkpoint that <paramref name="metadata"/> describes to <paramref name="destination"/>, atomically.</summary>
    public void Write(ThetaMetadata metadata, string relativePath, string destination)
    {
        // Everything that can fail before the first byte (missing objects, fetching, the container) fails here.
        using var prepared = smudger.PrepareCheckpoint(metadata, relativePath);
        WriteAtomically(destination, prepared.WriteTo);
    }

    /// <summary>Writes the checkpoint that <paramref name="metadata"/> describes to a stream, byte for byte as it was cleaned.</summary>
    public void WriteTo(ThetaMetadata metadata, string relativePath, Stream destination)
    {
        using var prepared = smudger.PrepareCheckpoint(metadata, relativePath);
        prepared.WriteTo(destination);
    }

    /// <summary>
    /// Checks that <paramref name="file"/> holds exactly the checkpoint <paramref name="metadata"/> describes, by
    /// rebuilding it from the objects and comparing as it streams. Throws <see cref="ThetaException"/> on a difference.
    /// </summary>
    public void Verify(ThetaMetadata metadata, string relativePath, string file)
    {
        using var prepared = smudger.PrepareCheckpoint(metadata, relativePath);
        using var actual = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var comparer = new ComparingWriteStream(actual, file);
        prepared.WriteTo(comparer);
        comparer.Complete();
    }

    private static void WriteAtomically(string destination, Action<Stream> write)
    {
        var full = Path.GetFullPath(destination);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.theta-tmp");
        try
        {
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(output);
                output.Flush();
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
