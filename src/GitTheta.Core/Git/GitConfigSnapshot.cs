namespace GitTheta.Core.Git;

/// <summary>
/// Every git config value a repository sees, resolved by git itself (system, global with GIT_CONFIG_GLOBAL and XDG,
/// repository, worktree, includes and includeIf, 'git -c'), read once with one <c>git config --list -z</c>. libgit2
/// is not asked: it honours neither GIT_CONFIG_GLOBAL nor includeIf, and in the native (AOT) build of the tool it
/// read no global config at all, so a <c>git config --global theta.…</c> setting was silently ignored.
/// </summary>
internal sealed class GitConfigSnapshot
{
    private readonly Dictionary<string, string> values;

    private GitConfigSnapshot(Dictionary<string, string> values) => this.values = values;

    /// <summary>The config git sees in <paramref name="directory"/>, or null when git could not list it.</summary>
    public static GitConfigSnapshot? TryRead(string directory)
    {
        GitResult listed;
        try
        {
            listed = GitCli.Run(directory, "config", "--list", "-z");
        }
        catch (Diagnostics.ThetaException)
        {
            return null;
        }

        return listed.ExitCode == 0 ? new GitConfigSnapshot(Parse(listed.Text)) : null;
    }

    /// <summary>Parses <c>git config --list -z</c>: NUL-terminated entries of "key\nvalue" ("key" alone is a boolean true); the last value of a key wins, as in git.</summary>
    public static Dictionary<string, string> Parse(string listed)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in listed.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var newline = entry.IndexOf('\n', StringComparison.Ordinal);
            var (key, value) = newline < 0 ? (entry, "true") : (entry[..newline], entry[(newline + 1)..]);
            result[Normalize(key)] = value;
        }

        return result;
    }

    /// <summary>The value git would give for <paramref name="key"/>, or null when it is not set.</summary>
    public string? Get(string key) => values.TryGetValue(Normalize(key), out var value) ? value : null;

    /// <summary>Keys as git compares them: section and variable names ignore case, a subsection (a remote's name) does not.</summary>
    public static string Normalize(string key)
    {
        var first = key.IndexOf('.', StringComparison.Ordinal);
        var last = key.LastIndexOf('.');
        return first < 0 || first == last
            ? key.ToLowerInvariant()
            : key[..first].ToLowerInvariant() + key[first..last] + key[last..].ToLowerInvariant();
    }
}
