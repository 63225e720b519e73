using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Repositories;

/// <summary>
/// A git repository with checkpoints tracked by git-theta: the front door of the library. Open one with
/// <see cref="Open"/>, then read a checkpoint as of any revision with <see cref="OpenCheckpoint"/>.
/// </summary>
/// <remarks>
/// This is also where the engine is assembled, once per repository: the git adapter, the LFS object store, the
/// settings (environment and git config), the registries of formats, update types and merge strategies, and the
/// object fetcher. Every command, filter and service of git-theta takes them from here. Reading never writes to
/// the repository or the object store, except that objects missing from the local store are downloaded into it.
/// </remarks>
public sealed class ThetaRepository : IDisposable
{
    /// <summary>The revision that names the staged version of a file (the index), as <c>git show :path</c> does.</summary>
    public const string Index = ":";

    private readonly Lazy<IObjectFetcher?> fetcher;
    private readonly Lazy<ThetaEngine> engine;
    private readonly Lazy<CheckpointMaterializer> materializer;
    private readonly Lazy<TrackedBlobReader> blobs;

    /// <summary>Where the log goes for the call running on this flow (<see cref="RouteLog"/>); <see cref="Log"/> when none.</summary>
    private readonly AsyncLocal<Action<string>?> routedLog = new();

    private ThetaRepository(GitRepository git, Action<string> log)
    {
        Git = git;
        Log = log;
        fetcher = new Lazy<IObjectFetcher?>(() => CreateFetcher(git, message => (routedLog.Value ?? Log)(message)));
        engine = new Lazy<ThetaEngine>(() =>
        {
            Store.ReleaseColdReads = Settings.WriteBehind;
            return new ThetaEngine(Store, Settings, Fetcher);
        });
        materializer = new Lazy<CheckpointMaterializer>(() => new CheckpointMaterializer(this));
        blobs = new Lazy<TrackedBlobReader>(() => new TrackedBlobReader(git, Engine));
    }

    /// <summary>The root folder of the work tree, or null for a bare repository.</summary>
    public string? WorkTree => Git.WorkTree;

    /// <summary>The repository's git folder (<c>.git</c>, or the folder of a bare repository).</summary>
    public string GitDirectory => Git.GitDirectory;

    internal GitRepository Git { get; }

    internal LfsObjectStore Store => Git.ObjectStore;

    internal ThetaSettings Settings => Git.Settings;

    internal CheckpointFormatRegistry Formats => Engine.Formats;

    internal UpdateTypeRegistry Updates => Engine.Updates;

    internal MergeStrategyRegistry MergeStrategies => MergeStrategyRegistry.Default;

    /// <summary>Receives git-lfs's complaints while objects are fetched.</summary>
    internal Action<string> Log { get; }

    /// <summary>
    /// Downloads objects missing from the local store through git-lfs: there is one whenever the repository has a
    /// work tree and somewhere to fetch from (a remote, or an lfs.url); null otherwise, and then a missing object is
    /// a GT2007 error that says it cannot be fetched.
    /// </summary>
    internal IObjectFetcher? Fetcher => fetcher.Value;

    /// <summary>
    /// What the filters, the merger, the squasher and the diff readers run with: this repository's store, settings and
    /// fetcher, and the registries of formats and update types. Built on first use, so the fetcher is decided once.
    /// </summary>
    internal ThetaEngine Engine => engine.Value;

    /// <summary>Writes checkpoints as of any revision through the engine (no git filter involved).</summary>
    internal CheckpointMaterializer Materializer => materializer.Value;

    /// <summary>
    /// Reads the blob of a tracked path as a checkpoint, whatever wrote it: theta metadata, or a git-lfs pointer whose
    /// object is cleaned on the fly (see <see cref="TrackedBlobReader"/>). Every reader of stored versions goes through
    /// it, so history from before <c>git theta track</c> stays readable.
    /// </summary>
    internal TrackedBlobReader Blobs => blobs.Value;

    /// <summary>Opens the git repository that contains <paramref name="path"/> (a folder or a file anywhere inside its work tree, or its git folder).</summary>
    /// <exception cref="ThetaException">GT2001 when the path is not inside a git repository; GT2010 when it does not exist.</exception>
    public static ThetaRepository Open(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Directory.Exists(full) ? full
            : File.Exists(full) ? Path.GetDirectoryName(full)!
            : throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' does not exist; give a folder or a file inside a git repository.");
        return Discover(directory, _ => { });
    }

    /// <summary>The repository that contains <paramref name="startDirectory"/> (honouring GIT_DIR, as git does).</summary>
    internal static ThetaRepository Discover(string startDirectory, Action<string> log) =>
        new(GitRepository.Discover(startDirectory), log);

    /// <summary>
    /// A tracked checkpoint as git stores it at <paramref name="revision"/>: its parameter groups, and their values on
    /// demand. Nothing is read beyond the metadata until a value is asked for.
    /// </summary>
    /// <param name="path">The checkpoint's path: relative to the root of the work tree ('/' or '\' separators), or absolute inside it.</param>
    /// <param name="revision">A branch, tag, commit id or revision expression (<c>HEAD~2</c>); <see cref="Index"/> for the staged version; null for HEAD.</param>
    /// <exception cref="ThetaException">
    /// GT2020 when the revision is unknown or has no such file; GT2021 when the file there is not a checkpoint tracked by
    /// git-theta (a plain file, or a git-lfs pointer to something that is no checkpoint; a pointer to a checkpoint is read
    /// as that checkpoint); GT2028 when such a pointer's LFS object cannot be had; GT2010 when the path is outside the repository.
    /// </exception>
    public ThetaCheckpoint OpenCheckpoint(string path, string? revision = null)
    {
        var relative = RepositoryPath(path);
        var location = revision == Index ? new RevisionPath(null, 0, relative) : new RevisionPath(revision ?? "HEAD", 0, relative);
        var version = ReadVersion(location);
        return new ThetaCheckpoint(this, relative, revision ?? "HEAD", version.Commit, version.Metadata);
    }

    /// <summary>Closes the repository (its native handles).</summary>
    public void Dispose() => Git.Dispose();

    /// <summary>The metadata stored at a location (a revision or an index stage), failing with a clear message when there is none.</summary>
    /// <exception cref="ThetaException">GT2020 (no such revision or file), GT2021 (not metadata).</exception>
    internal CheckpointVersion ReadVersion(RevisionPath at) => CheckpointVersion.Read(Git, Blobs, at);

    /// <summary>The metadata stored at a location, or null when the revision, the file or the metadata is not there.</summary>
    internal ThetaMetadata? ReadMetadata(RevisionPath at)
    {
        var blobId = at.IsIndex
            ? (Git.IndexStages(at.Path).TryGetValue(at.Stage, out var staged) ? staged : null)
            : Git.FindBlob(at.Revision!, at.Path)?.BlobId;
        return blobId is null ? null : Blobs.Read(blobId, at.Path);
    }

    /// <summary>The metadata a blob holds, or that of the checkpoint a git-lfs pointer names; null when it holds something else.</summary>
    internal ThetaMetadata? ReadMetadata(string blobId, string relativePath) => Blobs.Read(blobId, relativePath);

    /// <summary>The metadata a file holds, or null when the file is a checkpoint, missing or too large to be metadata.</summary>
    internal static ThetaMetadata? ReadMetadataFile(string file, string relativePath)
    {
        var info = new FileInfo(file);
        if (!info.Exists || info.Length > MetadataSerializer.MaxMetadataBytes || !IsMetadata(file))
        {
            return null;
        }

        return MetadataSerializer.TryParse(File.ReadAllBytes(file), relativePath);
    }

    /// <summary>
    /// Metadata or checkpoint? The one place this is decided for a file: no checkpoint format starts with '{' and the
    /// metadata marker, so the first bytes decide, without reading the rest.
    /// </summary>
    internal static bool IsMetadata(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, SniffBytes);
        return IsMetadata(IO.PrefixedStream.ReadPrefix(stream, SniffBytes));
    }

    /// <summary>Metadata or checkpoint, from the leading bytes already read (up to the first 4 KiB).</summary>
    internal static bool IsMetadata(ReadOnlySpan<byte> prefix) => MetadataSerializer.LooksLikeMetadata(prefix);

    /// <summary>
    /// The metadata a new clean of this path is compared with: the staged version, else HEAD's. A damaged previous
    /// version only costs the reuse of its objects, so it counts as none.
    /// </summary>
    internal ThetaMetadata? PreviousMetadata(string relativePath) =>
        TolerantRead(new RevisionPath(null, 0, relativePath)) ?? TolerantRead(new RevisionPath("HEAD", 0, relativePath));

    /// <summary>HEAD's version of a file, which incremental updates build on; null before the first commit or when HEAD's is not (sound) metadata.</summary>
    internal CommittedVersion? HeadVersion(string relativePath) =>
        Git.ResolveCommit("HEAD") is { } head && TolerantRead(new RevisionPath(head, 0, relativePath)) is { } metadata
            ? new CommittedVersion(head, metadata)
            : null;

    /// <summary>The metadata at a location, null where there is none or it is damaged (for history listings and comparisons that carry on).</summary>
    internal ThetaMetadata? TolerantRead(RevisionPath at)
    {
        try
        {
            return ReadMetadata(at);
        }
        catch (ThetaException)
        {
            return null;
        }
    }

    /// <summary>A path given as the library is given one (repository-relative, or absolute inside the work tree), as git names it.</summary>
    internal string RepositoryPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, "the checkpoint path is empty; give its path relative to the root of the work tree.");
        }

        if (Path.IsPathFullyQualified(path))
        {
            var root = WorkTree ?? throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' is absolute, but the repository at {GitDirectory} is bare; give the path relative to its root.");
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            return relative.StartsWith("../", StringComparison.Ordinal) || relative == ".."
                ? throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' is outside the repository at {root}.")
                : relative;
        }

        return path.Replace('\\', '/').TrimStart('/');
    }

    /// <summary>
    /// Sends what this repository logs (git-lfs's lines while objects are fetched) to <paramref name="sink"/> until the
    /// result is disposed, for the calls made on this flow only: one repository, and its engine, serves several callers
    /// (the MSBuild tasks of a build) while each gets its own log.
    /// </summary>
    internal IDisposable RouteLog(Action<string> sink)
    {
        var previous = routedLog.Value;
        routedLog.Value = sink;
        return new RestoreLog(routedLog, previous);
    }

    /// <summary>The one place an object fetcher is made; see <see cref="Fetcher"/> for the rule.</summary>
    internal static IObjectFetcher? CreateFetcher(GitRepository git, Action<string> log) =>
        git is { WorkTree: { } root, HasRemote: true } ? new LfsObjectFetcher(root, log, git.GetConfig, git.ObjectStore) : null;

    private const int SniffBytes = 4096;

    private sealed class RestoreLog(AsyncLocal<Action<string>?> routed, Action<string>? previous) : IDisposable
    {
        public void Dispose() => routed.Value = previous;
    }
}
