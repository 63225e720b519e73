namespace GitTheta.Core.Git;

/// <summary>One entry of git's index as <c>git ls-files --stage</c> lists it (an unmerged path has one per stage).</summary>
/// <param name="Stage">0 when merged; 1 base, 2 ours, 3 theirs while unmerged.</param>
internal sealed record IndexEntry(string Path, string BlobId, int Stage)
{
    /// <param name="pathspecs">Repository-relative pathspecs limiting the listing; none lists the whole index.</param>
    public static IReadOnlyList<IndexEntry> List(string workTree, IReadOnlyList<string> pathspecs) =>
        Parse(GitCli.Check(workTree, GitCli.WithPathspecs(new[] { "ls-files", "--stage", "-z" }, pathspecs)));

    /// <summary>Records "&lt;mode&gt; &lt;blob&gt; &lt;stage&gt;\t&lt;path&gt;", each ended by NUL.</summary>
    public static IReadOnlyList<IndexEntry> Parse(string output)
    {
        var entries = new List<IndexEntry>();
        foreach (var record in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = record.IndexOf('\t', StringComparison.Ordinal);
            var fields = tab < 0 ? Array.Empty<string>() : record[..tab].Split(' ');
            if (fields.Length == 3 && fields[2].Length == 1 && fields[2][0] is >= '0' and <= '3')
            {
                entries.Add(new IndexEntry(record[(tab + 1)..], fields[1], fields[2][0] - '0'));
            }
        }

        return entries;
    }
}
