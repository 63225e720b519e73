using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>
/// The git repositories that hold a build's models, found from each model's folder (so a model in a submodule belongs
/// to the submodule) and opened once per build: the first task that needs a repository opens it and registers it with
/// the build engine (<see cref="IBuildEngine4.RegisterTaskObject"/>, lifetime <see cref="RegisteredTaskObjectLifetime.Build"/>),
/// every later task of the build gets the same object, and MSBuild disposes it when the build ends. This is the only
/// place the tasks open a repository. The object shared is the engine's front door, <see cref="ThetaRepository"/> (the git
/// adapter, the object store and the settings, assembled once), so a build opens each repository once.
/// </summary>
internal sealed class BuildRepositories : IDisposable
{
    /// <summary>The start of every key this class registers, so that no other task's objects can collide with ours.</summary>
    internal const string KeyPrefix = "GitTheta.Tasks.BuildRepositories:";

    // Tasks run one at a time per node, but a node may build several projects whose tasks yield: finding and
    // registering a repository is one step, never two tasks opening the same one.
    private static readonly object Gate = new();

    private readonly IBuildEngine4? engine;
    private readonly Dictionary<string, ThetaRepository?> byDirectory = new(StringComparer.Ordinal);

    /// <summary>Repositories this instance opened and owns: all of them when there is no engine to share them through.</summary>
    private readonly List<ThetaRepository> owned = new();

    /// <summary>Shares the repositories through <paramref name="engine"/> when it is an <see cref="IBuildEngine4"/>; else opens them for this task alone.</summary>
    public BuildRepositories(IBuildEngine? engine)
    {
        this.engine = engine as IBuildEngine4;
    }

    /// <summary>The key a repository is registered under: its git directory (the same repository however it was found).</summary>
    internal static string RepositoryKey(string gitDirectory) => KeyPrefix + "repository:" + gitDirectory;

    /// <summary>The key that maps a folder to the git directory of the repository whose work tree holds it.</summary>
    internal static string DirectoryKey(string directory) => KeyPrefix + "directory:" + directory;

    /// <summary>The repository whose work tree holds <paramref name="fullPath"/>, or null when it is not inside one.</summary>
    public ThetaRepository? Find(string fullPath)
    {
        var directory = NearestExistingDirectory(Path.GetDirectoryName(fullPath) ?? fullPath);
        if (directory is null)
        {
            return null;
        }

        if (!byDirectory.TryGetValue(directory, out var found))
        {
            lock (Gate)
            {
                found = Registered(directory) ?? Open(directory);
            }

            byDirectory[directory] = found;
        }

        return found?.WorkTree is { } root && IsInside(fullPath, root) ? found : null;
    }

    /// <summary>
    /// The first 4 KiB of a blob (all of a git-lfs pointer, and enough to tell metadata), without reading the rest:
    /// the blob is streamed through the repository already open, not loaded whole.
    /// </summary>
    public static byte[]? BlobPrefix(GitRepository repository, string blobId)
    {
        using var stream = repository.OpenBlob(blobId);
        if (stream is null)
        {
            return null;
        }

        var prefix = new byte[4096];
        var read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        return prefix[..read];
    }

    /// <summary>Disposes the repositories this task opened for itself; shared ones are the build's, disposed when it ends.</summary>
    public void Dispose()
    {
        foreach (var repository in owned)
        {
            repository.Dispose();
        }

        owned.Clear();
        byDirectory.Clear();
    }

    private ThetaRepository? Registered(string directory)
    {
        if (engine?.GetRegisteredTaskObject(DirectoryKey(directory), RegisteredTaskObjectLifetime.Build) is not string gitDirectory)
        {
            return null;
        }

        return engine.GetRegisteredTaskObject(RepositoryKey(gitDirectory), RegisteredTaskObjectLifetime.Build) as ThetaRepository;
    }

    private ThetaRepository? Open(string directory)
    {
        ThetaRepository opened;
        try
        {
            opened = ThetaRepository.Discover(directory, _ => { });
        }
        catch (ThetaException e) when (e.Code == DiagnosticIds.NotAGitRepository)
        {
            return null;
        }

        if (engine is null)
        {
            owned.Add(opened);
            return opened;
        }

        // Found from another folder of the same repository: that object is the build's, this one is not needed.
        var repository = opened;
        if (engine.GetRegisteredTaskObject(RepositoryKey(opened.GitDirectory), RegisteredTaskObjectLifetime.Build) is ThetaRepository shared)
        {
            opened.Dispose();
            repository = shared;
        }
        else
        {
            engine.RegisterTaskObject(RepositoryKey(opened.GitDirectory), opened, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
        }

        engine.RegisterTaskObject(DirectoryKey(directory), repository.GitDirectory, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
        return repository;
    }

    private static string? NearestExistingDirectory(string directory)
    {
        var current = directory;
        while (!string.IsNullOrEmpty(current) && !Directory.Exists(current))
        {
            current = Path.GetDirectoryName(current);
        }

        return string.IsNullOrEmpty(current) ? null : current;
    }

    private static bool IsInside(string path, string root)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }
}
