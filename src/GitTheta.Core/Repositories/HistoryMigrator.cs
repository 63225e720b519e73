using System.IO.Enumeration;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.IO;
using GitTheta.Core.Metadata;

namespace GitTheta.Core.Repositories;

/// <summary>
/// Rewrites history so that the files matching some patterns are git-theta metadata in every commit, as
/// <c>git lfs migrate import</c> does for git-lfs (what <c>git theta migrate</c> runs). Each distinct blob is cleaned
/// once (a git-lfs pointer through <see cref="TrackedBlobReader"/>, a checkpoint committed as it is directly, metadata
/// kept), every group dense, so a group equal in two versions is one object; each commit's root
/// <c>.gitattributes</c> binds the patterns to theta (lfs bindings replaced, other attributes kept). Commits are
/// copied byte for byte but for their tree and parents, so authors, dates and messages stay. Every rewritten ref is
/// first saved under <see cref="BackupPrefix"/>.
/// </summary>
internal sealed class HistoryMigrator
{
    /// <summary>Where the refs as they were before the migration are kept: <c>refs/theta-migrate/backup/heads/main</c>.</summary>
    public const string BackupPrefix = "refs/theta-migrate/backup/";

    private readonly ThetaRepository repository;
    private readonly string root;
    private readonly IReadOnlyList<string> patterns;
    private readonly Dictionary<string, string> commits = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tree, string Prefix), string> trees = new();
    private readonly Dictionary<(string Blob, string Path), string> blobs = new();
    private readonly SortedSet<string> files = new(StringComparer.Ordinal);

    public HistoryMigrator(ThetaRepository repository, IReadOnlyList<string> patterns)
    {
        this.repository = repository;
        root = repository.WorkTree ?? throw new ThetaException(DiagnosticIds.MigrateRefused, "git theta migrate needs a work tree; run it in a clone, not a bare repository.");
        this.patterns = patterns;
    }

    /// <summary>What a migration did, for the user.</summary>
    public sealed record Report(int CommitsRewritten, IReadOnlyList<(string Ref, string Old, string New)> Refs, IReadOnlyList<string> Files);

    /// <summary>Told before the rewrite starts, after each commit and at the end (commits; no bytes).</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>Rewrites the commits reachable from <paramref name="refs"/> (full ref names) and moves those refs.</summary>
    /// <exception cref="ThetaException">GT2027 on a dirty work tree; GT2028 when an LFS object is missing and cannot be fetched (nothing is changed then).</exception>
    public Report Migrate(IReadOnlyList<string> refs)
    {
        if (Git("status", "--porcelain", "--untracked-files=no").Length > 0)
        {
            throw new ThetaException(DiagnosticIds.MigrateRefused, $"the work tree has uncommitted changes; commit or stash them ('git stash'), then run 'git theta migrate' again (nothing was rewritten).");
        }

        var tips = refs.Select(r => (Ref: r, Old: Git("rev-parse", "--verify", "-q", r).Trim())).ToList();
        var order = Git(new[] { "rev-list", "--topo-order", "--reverse" }.Concat(tips.Select(t => t.Old)).ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Every new object is written before any ref moves: a failure leaves the refs as they were.
        Progress?.Report(new WorkProgress(0, order.Length, 0, 0, Finished: false));
        for (var i = 0; i < order.Length; i++)
        {
            commits[order[i]] = RewriteCommit(order[i]);
            Progress?.Report(new WorkProgress(i + 1, order.Length, 0, 0, Finished: i + 1 == order.Length));
        }

        var moved = new List<(string Ref, string Old, string New)>();
        foreach (var (name, old) in tips)
        {
            var updated = RewriteTip(old);
            if (updated == old)
            {
                continue;
            }

            Git("update-ref", "-m", "theta migrate: backup", BackupPrefix + name["refs/".Length..], old);
            Git("update-ref", "-m", "theta migrate", name, updated, old);
            moved.Add((name, old, updated));
        }

        // The work tree was clean: make it the new HEAD's, with the new attributes (files are smudged back to the same bytes).
        Git("reset", "-q", "--hard");
        return new Report(commits.Count(c => c.Key != c.Value), moved, files.ToList());
    }

    private string RewriteTip(string old)
    {
        if (commits.TryGetValue(old, out var rewritten))
        {
            return rewritten;
        }

        // An annotated tag: a new tag object naming the rewritten commit, everything else as it was.
        var raw = CatFile("tag", old);
        var text = Encoding.UTF8.GetString(raw);
        var target = text.Split('\n')[0]["object ".Length..];
        var replacement = RewriteTip(target);
        if (replacement == target)
        {
            return old;
        }

        return HashObject("tag", Encoding.UTF8.GetBytes("object " + replacement + text[(text.IndexOf('\n'))..]));
    }

    private string RewriteCommit(string commit)
    {
        var raw = Encoding.UTF8.GetString(CatFile("commit", commit));
        var headerEnd = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var header = raw[..headerEnd].Split('\n');
        var output = new StringBuilder();
        var skipSignature = false;
        foreach (var line in header)
        {
            if (skipSignature && line.StartsWith(' '))
            {
                continue;
            }

            // A signature signs the old tree; it cannot be kept.
            skipSignature = line.StartsWith("gpgsig", StringComparison.Ordinal);
            if (skipSignature)
            {
                continue;
            }

            if (line.StartsWith("tree ", StringComparison.Ordinal))
            {
                output.Append("tree ").Append(RewriteTree(line[5..], string.Empty)).Append('\n');
            }
            else if (line.StartsWith("parent ", StringComparison.Ordinal))
            {
                output.Append("parent ").Append(commits.GetValueOrDefault(line[7..], line[7..])).Append('\n');
            }
            else
            {
                output.Append(line).Append('\n');
            }
        }

        output.Append(raw[(headerEnd + 1)..]);
        var bytes = Encoding.UTF8.GetBytes(output.ToString());
        return raw == output.ToString() ? commit : HashObject("commit", bytes);
    }

    private string RewriteTree(string tree, string prefix)
    {
        if (trees.TryGetValue((tree, prefix), out var known))
        {
            return known;
        }

        var entries = new List<(string Mode, string Type, string Id, string Name)>();
        foreach (var entry in Git("ls-tree", "-z", tree).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = entry.IndexOf('\t');
            var fields = entry[..tab].Split(' ');
            var name = entry[(tab + 1)..];
            var path = prefix + name;
            var id = fields[1] switch
            {
                "tree" => RewriteTree(fields[2], path + "/"),
                "blob" when prefix.Length == 0 && name == ".gitattributes" => RewriteAttributes(fields[2]),
                "blob" when fields[0] != "120000" && Matches(path) => RewriteBlob(fields[2], path),
                _ => fields[2],
            };
            entries.Add((fields[0], fields[1], id, name));
        }

        if (prefix.Length == 0 && !entries.Any(e => e.Name == ".gitattributes"))
        {
            entries.Add(("100644", "blob", HashObject("blob", Encoding.UTF8.GetBytes(AttributeLines(new List<string>()))), ".gitattributes"));
        }

        var input = new StringBuilder();
        foreach (var (mode, type, id, name) in entries)
        {
            input.Append(mode).Append(' ').Append(type).Append(' ').Append(id).Append('\t').Append(name).Append('\0');
        }

        var rewritten = Git(new[] { "mktree", "-z" }, Encoding.UTF8.GetBytes(input.ToString())).Trim();
        trees[(tree, prefix)] = rewritten;
        return rewritten;
    }

    private string RewriteBlob(string blob, string path)
    {
        if (blobs.TryGetValue((blob, path), out var known))
        {
            return known;
        }

        byte[] metadata;
        if (repository.Blobs.ReadAnyPath(blob, path) is { } read)
        {
            metadata = read.Bytes;
        }
        else
        {
            var content = repository.Git.OpenBlob(blob) ?? throw new ThetaException(DiagnosticIds.GitFailed, $"{path}: blob {blob} is missing from the repository; run 'git fetch'.");
            using (content)
            {
                try
                {
                    metadata = repository.Blobs.CleanCheckpoint(content, path);
                }
                catch (ThetaException e) when (e.Code is DiagnosticIds.UnknownFormat)
                {
                    // A matching file that is no checkpoint (a tokenizer, say) stays as it is, as 'git add' of it would fail.
                    blobs[(blob, path)] = blob;
                    return blob;
                }
            }
        }

        var rewritten = HashObject("blob", metadata);
        files.Add(path);
        blobs[(blob, path)] = rewritten;
        return rewritten;
    }

    private string RewriteAttributes(string blob)
    {
        var text = Encoding.UTF8.GetString(CatFile("blob", blob));
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return HashObject("blob", Encoding.UTF8.GetBytes(AttributeLines(lines)));
    }

    /// <summary>The attribute lines with each pattern bound to theta: its own lines lose their lfs drivers and gain theta's, in place; a pattern without a line gets one at the end.</summary>
    private string AttributeLines(List<string> lines)
    {
        foreach (var pattern in patterns)
        {
            var index = lines.FindLastIndex(l => l.Split(' ', '\t')[0] == pattern);
            var theta = GitAttributes.DriverAttributes.Select(d => $"{d}=theta");
            if (index < 0)
            {
                lines.Add(pattern + " " + string.Join(' ', theta));
                continue;
            }

            var kept = lines[index].Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Where(a => !GitAttributes.DriverAttributes.Any(d => a.StartsWith(d + "=", StringComparison.Ordinal)));
            lines[index] = pattern + " " + string.Join(' ', kept.Concat(theta));
        }

        return string.Join('\n', lines) + "\n";
    }

    /// <summary>gitattributes-style: a pattern without '/' matches the file name in any folder, one with '/' the path from the root.</summary>
    private bool Matches(string path) =>
        patterns.Any(p => p.Contains('/')
            ? FileSystemName.MatchesSimpleExpression(p.TrimStart('/'), path, ignoreCase: false)
            : FileSystemName.MatchesSimpleExpression(p, path.AsSpan(path.LastIndexOf('/') + 1), ignoreCase: false));

    private byte[] CatFile(string type, string id)
    {
        var result = GitCli.Run(root, new[] { "cat-file", type, id });
        result.ThrowIfFailed(new[] { "cat-file", type, id });
        return result.Output;
    }

    private string HashObject(string type, byte[] content) =>
        Git(new[] { "hash-object", "-w", "-t", type, "--stdin" }, content).Trim();

    private string Git(params string[] arguments) => Git(arguments, null);

    private string Git(string[] arguments, byte[]? input)
    {
        var result = GitCli.Run(root, arguments, input);
        result.ThrowIfFailed(arguments);
        return result.Text;
    }
}
