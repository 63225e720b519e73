using GitTheta.Core.Git;

namespace GitTheta.Core.Repositories;

/// <summary>The commits that changed a tracked checkpoint, newest first, with its metadata before and after each (what <c>git theta log</c> shows).</summary>
internal static class CheckpointHistory
{
    private const char Separator = '\u001f';

    /// <param name="revision">Where the history starts (HEAD by default).</param>
    /// <param name="limit">At most this many commits; null for all.</param>
    public static IEnumerable<CheckpointRevision> Of(ThetaRepository repository, string workTree, string relativePath, string revision = "HEAD", int? limit = null)
    {
        var arguments = new List<string> { "log", "--format=%H%x1f%P%x1f%ad%x1f%s", "--date=short" };
        if (limit is { } n)
        {
            arguments.Add($"-{n}");
        }

        arguments.AddRange(new[] { revision, "--", relativePath });
        var log = GitCli.Run(workTree, arguments);
        log.ThrowIfFailed(arguments);
        foreach (var line in log.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(Separator);
            if (fields.Length < 4)
            {
                continue;
            }

            var parent = fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            yield return new CheckpointRevision(fields[0], fields[2], string.Join(Separator, fields.Skip(3)), repository.TolerantRead(new RevisionPath(fields[0], 0, relativePath)), parent is null ? null : repository.TolerantRead(new RevisionPath(parent, 0, relativePath)));
        }
    }
}
