using System.Security.Cryptography;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// What a refused command must leave as it was: the index, every file of the object store (wherever git-theta keeps
/// it under .git: the LFS store, or a theta store beside it), and the work tree, by path, size and content hash.
/// </summary>
public sealed record HostileRepoState(string Index, IReadOnlyDictionary<string, string> Store, IReadOnlyDictionary<string, string> WorkTree)
{
    /// <summary>The stores' temp folders: a refused or killed command must not leave anything there.</summary>
    public static IReadOnlyList<string> TempFiles(GitRepo repo) => StoreRoots(repo)
        .Select(root => Path.Combine(root, "tmp"))
        .Where(Directory.Exists)
        .SelectMany(tmp => Directory.EnumerateFiles(tmp, "*", SearchOption.AllDirectories))
        .ToList();

    public static HostileRepoState Take(GitRepo repo) => new(
        repo.GitOk("ls-files", "-s"),
        StoreRoots(repo)
            .Select(root => Path.Combine(root, "objects"))
            .Where(Directory.Exists)
            .SelectMany(objects => Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories))
            .ToDictionary(f => Path.GetRelativePath(repo.Directory, f), Hash),
        Directory.EnumerateFiles(repo.Directory, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(repo.Directory, f).StartsWith(".git" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(repo.Directory, f), Hash));

    /// <summary>Every object file of the stores whose name is not the SHA-256 of its bytes: a half-written object.</summary>
    public static IReadOnlyList<string> HalfObjects(GitRepo repo) => StoreRoots(repo)
        .Select(root => Path.Combine(root, "objects"))
        .Where(Directory.Exists)
        .SelectMany(objects => Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories))
        .Where(f => Path.GetFileName(f) != Hash(f))
        .ToList();

    /// <summary>Differences from an earlier state, one line each; empty when nothing changed.</summary>
    public IReadOnlyList<string> Differences(HostileRepoState before)
    {
        var differences = new List<string>();
        if (Index != before.Index)
        {
            differences.Add($"index changed:\n--- before\n{before.Index}--- after\n{Index}");
        }

        differences.AddRange(Compare("store", before.Store, Store));
        differences.AddRange(Compare("work tree", before.WorkTree, WorkTree));
        return differences;
    }

    private static IEnumerable<string> Compare(string what, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .Select(k => !before.ContainsKey(k) ? $"{what}: new file {k}" : !after.ContainsKey(k) ? $"{what}: deleted {k}" : $"{what}: changed {k}");

    // .git/lfs today; a theta store of its own under .git (issue 11 item 3 may move the canonical copy there).
    /// <summary>git-lfs's store (.git/lfs), the theta store inside it (.git/lfs/theta), and any .git/theta* folder.</summary>
    private static IEnumerable<string> StoreRoots(GitRepo repo) =>
        Directory.EnumerateDirectories(Path.Combine(repo.Directory, ".git"))
            .Where(d => Path.GetFileName(d) is "lfs" || Path.GetFileName(d).StartsWith("theta", StringComparison.Ordinal))
            .SelectMany(d => Path.GetFileName(d) == "lfs" ? new[] { d, Path.Combine(d, "theta") } : new[] { d });

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
