using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using LibGit2Sharp;

namespace GitTheta.Core.Git;

/// <summary>
/// One git repository as the engine sees it: its folders, its config, the LFS object store, and
/// read access to blobs (through LibGit2Sharp, in process, so a filter needs no git child per file).
/// </summary>
internal sealed class GitRepository : IDisposable
{
    private readonly Repository repository;
    private readonly IndexSnapshot index;
    private readonly Lazy<GitConfigSnapshot?> config;
    private ThetaSettings? settings;

    private GitRepository(Repository repository)
    {
        this.repository = repository;
        GitDirectory = Path.GetFullPath(repository.Info.Path);
        WorkTree = repository.Info.WorkingDirectory is { } wd ? Path.GetFullPath(wd) : null;
        CommonDirectory = ResolveCommonDirectory(GitDirectory);
        config = new Lazy<GitConfigSnapshot?>(() => GitConfigSnapshot.TryRead(WorkTree ?? GitDirectory));
        ObjectStore = new LfsObjectStore(ResolveLfsRoot());
        index = new IndexSnapshot(GitDirectory);
    }

    public string GitDirectory { get; }

    public string CommonDirectory { get; }

    public string? WorkTree { get; }

    public LfsObjectStore ObjectStore { get; }

    public ThetaSettings Settings => settings ??= ThetaSettings.Load(GetConfig);

    /// <summary>True when there is somewhere to download objects from: a git remote, or an lfs.url (in git config or the work tree's .lfsconfig).</summary>
    public bool HasRemote => repository.Network.Remotes.Any() || !string.IsNullOrWhiteSpace(GetConfig("lfs.url"))
        || (WorkTree is { } root && File.Exists(Path.Combine(root, ".lfsconfig")));

    public static GitRepository Discover(string startDirectory)
    {
        var gitDirFromEnvironment = Environment.GetEnvironmentVariable("GIT_DIR");
        var found = !string.IsNullOrEmpty(gitDirFromEnvironment)
            ? Path.GetFullPath(gitDirFromEnvironment, startDirectory)
            : FindRepository(startDirectory);
        if (found is null)
        {
            throw new ThetaException(DiagnosticIds.NotAGitRepository, $"'{startDirectory}' is not inside a git repository; run git-theta from a repository (git init, or cd into one).");
        }

        try
        {
            return new GitRepository(new Repository(found));
        }
        catch (RepositoryNotFoundException)
        {
            throw new ThetaException(DiagnosticIds.NotAGitRepository, $"'{startDirectory}' is not inside a git repository; run git-theta from a repository.");
        }
    }

    /// <summary>
    /// The repository that <paramref name="startDirectory"/> or the nearest folder above it opens (a work tree, a
    /// bare repository, a linked worktree's .git file), as git finds it. Not <c>Repository.Discover</c>: libgit2
    /// returns the path in a buffer that the native (AOT) build of the tool does not marshal back, so it found nothing.
    /// </summary>
    private static string? FindRepository(string startDirectory)
    {
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            if (Repository.IsValid(directory.FullName))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    public string? GetConfig(string key)
    {
        // git's own listing includes 'git -c key=value' (GIT_CONFIG_PARAMETERS) and every scope, as git resolves them.
        if (config.Value is { } snapshot)
        {
            return snapshot.Get(key);
        }

        // Without it (git could not list the config): GIT_CONFIG_PARAMETERS, which libgit2 does not read, then libgit2.
        if (CommandLineConfig.Value.TryGetValue(key.ToLowerInvariant(), out var fromCommandLine))
        {
            return fromCommandLine;
        }

        try
        {
            return repository.Config.Get<string>(key)?.Value;
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    /// <summary>The repository-relative path with '/' separators, as git names it.</summary>
    public string RelativePath(string path)
    {
        if (WorkTree is null)
        {
            return path.Replace('\\', '/');
        }

        var full = Path.GetFullPath(path, Environment.CurrentDirectory);
        var relative = Path.GetRelativePath(WorkTree, full).Replace('\\', '/');
        if (relative.StartsWith("../", StringComparison.Ordinal) || relative == "..")
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' is outside the repository at {WorkTree}.");
        }

        return relative;
    }

    /// <summary>The id of the blob staged (stage 0) for a path, or null when nothing is staged for it.</summary>
    public string? IndexBlobId(string relativePath) =>
        IndexStages(relativePath).TryGetValue(0, out var blobId) ? blobId : null;

    /// <summary>The blobs staged for a path, by stage: 0 when it is merged; 1 (base), 2 (ours), 3 (theirs) while it is unmerged.</summary>
    public IReadOnlyDictionary<int, string> IndexStages(string relativePath) => index.Stages(relativePath);

    /// <summary>The file at <paramref name="relativePath"/> (repository-relative, '/') in a revision, or null when the revision or the file does not exist.</summary>
    public RevisionBlob? FindBlob(string revision, string relativePath) =>
        Entry(revision, relativePath) is { Target: Blob blob } entry ? new RevisionBlob(entry.Commit, blob.Sha, blob.Size) : null;

    /// <summary>True when <paramref name="relativePath"/> names a folder in <paramref name="revision"/>.</summary>
    public bool IsFolder(string revision, string relativePath) => Entry(revision, relativePath) is { Target: Tree };

    /// <summary>A blob's size from its object header, without reading it; null when it is not a blob here.</summary>
    public long? BlobSize(string sha)
    {
        try
        {
            var metadata = repository.ObjectDatabase.RetrieveObjectMetadata(new LibGit2Sharp.ObjectId(sha));
            return metadata.Size;
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    public byte[]? ReadBlob(string sha, long maxBytes) => ReadBlob(new LibGit2Sharp.ObjectId(sha), maxBytes);

    /// <summary>The content of a blob as a stream, or null when the repository has no such blob.</summary>
    public Stream? OpenBlob(string sha) => repository.Lookup<Blob>(new LibGit2Sharp.ObjectId(sha))?.GetContentStream();

    /// <summary>The full id of the commit a revision (branch, tag, sha, expression) names, or null when it names none.</summary>
    public string? ResolveCommit(string revision) => Commit(revision)?.Sha;

    /// <summary>The commits the remote-tracking branches of <paramref name="remote"/> point at (what that remote is known to have).</summary>
    public IReadOnlyList<string> RemoteTrackingTips(string remote) =>
        // By ref name, not Branch.RemoteName: libgit2 returns that name in a buffer the native (AOT) build does not read back.
        repository.Refs.FromGlob("refs/remotes/" + remote + "/*")
            .Select(r => r.ResolveToDirectReference()?.Target?.Peel<LibGit2Sharp.Commit>()?.Sha)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The theta metadata a blob holds, or null when the blob is absent or something else (a plain file, a git-lfs
    /// pointer, anything larger than metadata can be). The one place metadata is read out of git.
    /// </summary>
    /// <exception cref="ThetaException">GT2006 when the blob claims to be metadata but is damaged.</exception>
    public ThetaMetadata? ReadMetadataBlob(string blobId, string relativePath)
    {
        if (BlobSize(blobId) is not { } size || size > MetadataSerializer.MaxMetadataBytes
            || ReadBlob(blobId, MetadataSerializer.MaxMetadataBytes) is not { } bytes)
        {
            return null;
        }

        return MetadataSerializer.TryParse(bytes, relativePath);
    }

    public void Dispose() => repository.Dispose();

    private static readonly Lazy<IReadOnlyDictionary<string, string>> CommandLineConfig =
        new(() => GitConfigParameters.Parse(Environment.GetEnvironmentVariable("GIT_CONFIG_PARAMETERS")));

    private LibGit2Sharp.Commit? Commit(string revision)
    {
        try
        {
            return repository.Lookup(revision)?.Peel<LibGit2Sharp.Commit>();
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    private (string Commit, GitObject Target)? Entry(string revision, string relativePath)
    {
        var commit = Commit(revision);
        return commit?[relativePath]?.Target is { } target ? (commit.Sha, target) : null;
    }

    private byte[]? ReadBlob(LibGit2Sharp.ObjectId id, long maxBytes)
    {
        var blob = repository.Lookup<Blob>(id);
        if (blob is null || blob.Size > maxBytes)
        {
            return null;
        }

        using var stream = blob.GetContentStream();
        var buffer = new MemoryStream((int)blob.Size);
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static string ResolveCommonDirectory(string gitDirectory)
    {
        var commonFile = Path.Combine(gitDirectory, "commondir");
        if (File.Exists(commonFile))
        {
            var relative = File.ReadAllText(commonFile).Trim();
            return Path.GetFullPath(Path.Combine(gitDirectory, relative));
        }

        return gitDirectory;
    }

    private string ResolveLfsRoot()
    {
        var configured = GetConfig("lfs.storage");
        if (string.IsNullOrWhiteSpace(configured))
        {
            return Path.Combine(CommonDirectory, "lfs");
        }

        return Path.GetFullPath(configured, CommonDirectory);
    }
}
