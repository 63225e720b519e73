using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;

namespace GitTheta.Tasks;

/// <summary>
/// The git repositories that hold a task's models, found from each model's folder (so a model in a submodule
/// belongs to the submodule) and opened once per task.
/// </summary>
public sealed class RepositoryCache : IDisposable
{
    private readonly Dictionary<string, GitRepository?> byDirectory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GitRepository> byGitDirectory = new(StringComparer.Ordinal);

    /// <summary>The repository whose work tree holds <paramref name="fullPath"/>, or null when it is not inside one.</summary>
    public GitRepository? Find(string fullPath)
    {
        var directory = NearestExistingDirectory(Path.GetDirectoryName(fullPath) ?? fullPath);
        if (directory is null)
        {
            return null;
        }

        if (byDirectory.TryGetValue(directory, out var known))
        {
            return known;
        }

        GitRepository? found;
        try
        {
            found = GitRepository.Discover(directory);
        }
        catch (ThetaException e) when (e.Code == DiagnosticIds.NotAGitRepository)
        {
            found = null;
        }

        if (found is not null)
        {
            if (found.WorkTree is null || !IsInside(fullPath, found.WorkTree))
            {
                found.Dispose();
                found = null;
            }
            else if (byGitDirectory.TryGetValue(found.GitDirectory, out var same))
            {
                found.Dispose();
                found = same;
            }
            else
            {
                byGitDirectory[found.GitDirectory] = found;
            }
        }

        byDirectory[directory] = found;
        return found;
    }

    public void Dispose()
    {
        foreach (var repository in byGitDirectory.Values)
        {
            repository.Dispose();
        }

        byGitDirectory.Clear();
        byDirectory.Clear();
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
