namespace GitTheta.Core.Git;

/// <summary>
/// One tracked path that <c>git status --porcelain=v2</c> reports as changed: git's letters for the index against
/// HEAD (<see cref="Staged"/>) and the work tree against the index (<see cref="NotStaged"/>), '.' meaning unchanged,
/// and the blob ids of HEAD's and the index's versions. git decides "changed in the work tree" with its stat cache,
/// running the clean filter only for files whose stat data no longer matches, exactly as <c>git status</c> does.
/// </summary>
/// <param name="HeadBlob">HEAD's blob, or null when HEAD has no such file (or for an unmerged path).</param>
/// <param name="IndexBlob">The staged blob, or null when the index has none at stage 0.</param>
internal sealed record GitStatusEntry(string Path, char Staged, char NotStaged, string? HeadBlob, string? IndexBlob, bool Unmerged)
{
    /// <summary>The index against HEAD.</summary>
    public FileChange StagedChange => Unmerged ? FileChange.Unmerged : ChangeOf(Staged);

    /// <summary>The working file against the index.</summary>
    public FileChange NotStagedChange => Unmerged ? FileChange.Unmerged : ChangeOf(NotStaged);

    /// <param name="pathspecs">Repository-relative pathspecs limiting the report; none reports every path.</param>
    public static IReadOnlyList<GitStatusEntry> Read(string workTree, IReadOnlyList<string> pathspecs) =>
        Parse(GitCli.Check(workTree, GitCli.WithPathspecs(new[] { "status", "--porcelain=v2", "-z", "--untracked-files=no", "--no-renames", "--ignore-submodules=all" }, pathspecs)));

    /// <summary>
    /// Ordinary records "1 XY sub mH mI mW hH hI path" and unmerged ones "u XY sub m1 m2 m3 mW h1 h2 h3 path", each
    /// ended by NUL; anything else (renames are off, untracked files are not asked for) is skipped.
    /// </summary>
    public static IReadOnlyList<GitStatusEntry> Parse(string output)
    {
        var entries = new List<GitStatusEntry>();
        foreach (var record in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            if (record.StartsWith("1 ", StringComparison.Ordinal))
            {
                var fields = record.Split(' ', 9);
                if (fields.Length == 9 && fields[1].Length == 2)
                {
                    entries.Add(new GitStatusEntry(fields[8], fields[1][0], fields[1][1], Blob(fields[6]), Blob(fields[7]), Unmerged: false));
                }
            }
            else if (record.StartsWith("u ", StringComparison.Ordinal))
            {
                var fields = record.Split(' ', 11);
                if (fields.Length == 11 && fields[1].Length == 2)
                {
                    entries.Add(new GitStatusEntry(fields[10], fields[1][0], fields[1][1], null, null, Unmerged: true));
                }
            }
        }

        return entries;
    }

    private static FileChange ChangeOf(char letter) => letter switch
    {
        '.' => FileChange.Unchanged,
        'A' => FileChange.Added,
        'D' => FileChange.Deleted,
        'T' => FileChange.TypeChanged,
        _ => FileChange.Modified,
    };

    /// <summary>git writes an all-zero id for a side that does not exist.</summary>
    private static string? Blob(string id) => id.Trim('0').Length == 0 ? null : id;
}
