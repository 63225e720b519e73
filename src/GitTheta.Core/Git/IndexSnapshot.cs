using LibGit2Sharp;

namespace GitTheta.Core.Git;

/// <summary>
/// The index as it is on disk, read again only when the file changed. git rewrites the index between the requests one
/// filter process serves (a rebase picks commit after commit) and libgit2 does not re-read an index it has loaded, so
/// every lookup must see the current file; but reading it for every file of a <c>git add</c> of hundreds of files was
/// most of the per-file cost, while git keeps the index unchanged for the whole command (it writes index.lock).
/// </summary>
internal sealed class IndexSnapshot
{
    private static readonly IReadOnlyDictionary<int, string> NoStages = new Dictionary<int, string>();

    private readonly string gitDirectory;
    private readonly string indexPath;
    private readonly object gate = new();
    private Stamp? stamp;
    private Dictionary<string, Dictionary<int, string>> stagesByPath = new(StringComparer.Ordinal);

    public IndexSnapshot(string gitDirectory)
    {
        this.gitDirectory = gitDirectory;
        indexPath = Path.Combine(gitDirectory, "index");
    }

    /// <summary>The blobs staged for a path, by stage (0 merged; 1 base, 2 ours, 3 theirs while unmerged).</summary>
    public IReadOnlyDictionary<int, string> Stages(string relativePath)
    {
        lock (gate)
        {
            var current = Stamp.Of(indexPath);
            if (current is null || stamp is null || current != stamp || !stamp.Value.Settled)
            {
                stagesByPath = Read();
                stamp = current?.ReadNow();
            }

            return stagesByPath.TryGetValue(relativePath, out var stages) ? stages : NoStages;
        }
    }

    private Dictionary<string, Dictionary<int, string>> Read()
    {
        using var fresh = new Repository(gitDirectory);
        var result = new Dictionary<string, Dictionary<int, string>>(StringComparer.Ordinal);
        foreach (var entry in fresh.Index)
        {
            var path = entry.Path.Replace('\\', '/');
            if (!result.TryGetValue(path, out var stages))
            {
                stages = new Dictionary<int, string>();
                result[path] = stages;
            }

            stages[(int)entry.StageLevel] = entry.Id.Sha;
        }

        return result;
    }

    /// <summary>
    /// What identifies one version of the index file. <see cref="Settled"/> is false when the file was read in the same
    /// clock second as it was written on a file system that keeps whole seconds only: a rewrite within that second
    /// could keep size and time (git's "racy" case), so such a read is not trusted for the next lookup.
    /// </summary>
    private readonly record struct Stamp(long Length, long WrittenTicks, bool Settled)
    {
        public static Stamp? Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new Stamp(info.Length, info.LastWriteTimeUtc.Ticks, Settled: true) : null;
        }

        public Stamp ReadNow()
        {
            var fineGrained = WrittenTicks % TimeSpan.TicksPerSecond != 0;
            var settled = fineGrained || DateTime.UtcNow.Ticks - WrittenTicks > TimeSpan.TicksPerSecond;
            return this with { Settled = settled };
        }

        public bool Equals(Stamp other) => Length == other.Length && WrittenTicks == other.WrittenTicks;

        public override int GetHashCode() => HashCode.Combine(Length, WrittenTicks);
    }
}
