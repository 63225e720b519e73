using GitTheta.Core.Git;

namespace GitTheta.Core.Repositories;

/// <summary>The files directly inside a folder, as a revision, the index or the work tree has them (repository-relative, '/').</summary>
internal static class FolderFiles
{
    /// <summary>"models" or "models/" as "models/"; the top of the repository ("", ".") as "".</summary>
    public static string Normalize(string folder)
    {
        var trimmed = folder.Replace('\\', '/').Trim('/');
        return trimmed is "" or "." ? string.Empty : trimmed + "/";
    }

    /// <param name="revision">A commit, or null for the index.</param>
    /// <returns>Null when the revision or the index has no such folder.</returns>
    public static IReadOnlyList<string>? Stored(ThetaRepository repository, string? revision, string folder)
    {
        folder = Normalize(folder);
        if (revision is not null && folder.Length > 0 && !repository.Git.IsFolder(revision, folder.TrimEnd('/')))
        {
            return null;
        }

        var arguments = revision is null
            ? new List<string> { "ls-files", "-z", "--full-name" }
            : new List<string> { "ls-tree", "--name-only", "--full-tree", "-z", revision };
        if (folder.Length > 0)
        {
            arguments.Add("--");
            arguments.Add(revision is null ? ":/" + folder : folder);
        }
        else if (revision is null)
        {
            arguments.Add(":/");
        }

        var result = GitCli.Run(repository.WorkTree ?? repository.Git.GitDirectory, arguments);
        if (!result.Succeeded)
        {
            return null;
        }

        var files = result.Text.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(f => ShardIndex.FolderOf(f) == folder)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return revision is null && files.Count == 0 && folder.Length > 0 ? null : files;
    }

    /// <summary>The files in a folder of the work tree; null when there is no such folder.</summary>
    public static IReadOnlyList<string>? InWorkTree(string workTree, string folder)
    {
        folder = Normalize(folder);
        var full = Path.Combine(workTree, folder);
        return Directory.Exists(full)
            ? Directory.EnumerateFiles(full).Select(f => folder + Path.GetFileName(f)).ToList()
            : null;
    }
}
