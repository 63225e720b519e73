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
public sealed class GitRepository : IDisposable
{
    private readonly Repository repository;
    private ThetaSettings? settings;

    private GitRepository(Repository repository)
    {
        this.repository = repository;
        GitDirectory = Path.GetFullPath(repository.Info.Path);
        WorkTree = repository.Info.WorkingDirectory is { } wd ? Path.GetFullPath(wd) : null;
        CommonDirectory = ResolveCommonDirectory(GitDirectory);
        ObjectStore = new LfsObjectStore(ResolveLfsRoot());
    }

    public string GitDirectory { get; }

    public string CommonDirectory { get; }

    public string? WorkTree { get; }

    public LfsObjectStore ObjectStore { get; }

    public ThetaSettings Settings => settings ??= ThetaSettings.Load(GetConfig);

    /// <summary>True when there is somewhere to download objects from: a git remote, or an explicit lfs.url.</summary>
    public bool HasRemote => repository.Network.Remotes.Any() || !string.IsNullOrWhiteSpace(GetConfig("lfs.url"));

    internal Repository Native => repository;

    public static GitRepository Discover(string startDirectory)
    {
        var gitDirFromEnvironment = Environment.GetEnvironmentVariable("GIT_DIR");
        var found = !string.IsNullOrEmpty(gitDirFromEnvironment)
            ? Path.GetFullPath(gitDirFromEnvironment, startDirectory)
            : Repository.Discover(startDirectory);
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

    public string? GetConfig(string key)
    {
        // git passes 'git -c key=value' to the commands and filters it runs in GIT_CONFIG_PARAMETERS; libgit2 does not read it.
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

    /// <summary>The blob staged for <paramref name="relativePath"/>, or null.</summary>
    public byte[]? ReadIndexBlob(string relativePath, long maxBytes)
    {
        // The index as it is on disk now: git rewrites it between the requests one filter process serves (a rebase
        // picks commit after commit), and libgit2 does not re-read an index it has loaded.
        using var fresh = new Repository(GitDirectory);
        var entry = fresh.Index[relativePath];
        if (entry is null)
        {
            return null;
        }

        return ReadBlob(entry.Id, maxBytes);
    }

    /// <summary>The blobs staged for a path, by stage: 0 when it is merged; 1 (base), 2 (ours), 3 (theirs) while it is unmerged.</summary>
    public IReadOnlyDictionary<int, string> IndexStages(string relativePath)
    {
        using var fresh = new Repository(GitDirectory);
        return fresh.Index.Where(e => e.Path.Replace('\\', '/') == relativePath).ToDictionary(e => (int)e.StageLevel, e => e.Id.Sha);
    }

    /// <summary>The blob at <paramref name="relativePath"/> in <paramref name="revision"/>, or null when either does not exist.</summary>
    public byte[]? ReadBlobAt(string revision, string relativePath, long maxBytes)
    {
        var commit = ResolveCommit(revision);
        if (commit?[relativePath]?.Target is not Blob blob)
        {
            return null;
        }

        return ReadBlob(blob.Id, maxBytes);
    }

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

    public Commit? ResolveCommit(string revision)
    {
        try
        {
            return repository.Lookup(revision)?.Peel<Commit>();
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    /// <summary>The commits the remote-tracking branches of <paramref name="remote"/> point at (what that remote is known to have).</summary>
    public IReadOnlyList<string> RemoteTrackingTips(string remote) =>
        repository.Branches
            .Where(b => b.IsRemote && b.RemoteName == remote && b.Tip is not null)
            .Select(b => b.Tip.Sha)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>The metadata a new clean of this path is compared with: the staged version, else HEAD's.</summary>
    public ThetaMetadata? PreviousMetadata(string relativePath)
    {
        foreach (var candidate in new[] { ReadIndexBlob(relativePath, MetadataSerializer.MaxMetadataBytes), ReadBlobAt("HEAD", relativePath, MetadataSerializer.MaxMetadataBytes) })
        {
            if (candidate is null)
            {
                continue;
            }

            try
            {
                if (MetadataSerializer.TryParse(candidate, relativePath) is { } metadata)
                {
                    return metadata;
                }
            }
            catch (ThetaException)
            {
                // A damaged previous version only costs the reuse of its objects.
            }
        }

        return null;
    }

    public void Dispose() => repository.Dispose();

    private static readonly Lazy<IReadOnlyDictionary<string, string>> CommandLineConfig =
        new(() => GitConfigParameters.Parse(Environment.GetEnvironmentVariable("GIT_CONFIG_PARAMETERS")));

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
