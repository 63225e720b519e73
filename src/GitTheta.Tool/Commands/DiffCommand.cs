using System.CommandLine;
using System.CommandLine.Parsing;
using GitTheta.Core.Repositories;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Diffing;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Updates;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The diff driver (git calls it with 7 arguments) and a standalone diff of two versions: which groups were added,
/// removed or modified, from metadata alone. Sides git stores are read by blob id; a side that is a checkpoint rather
/// than metadata (a modified working file) is hashed in memory, and only a group whose change is within the LSH
/// threshold has its stored value read, for the allclose check. With --stat (or GIT_THETA_DIFF_STAT / theta.diffStat,
/// since git cannot pass the driver a flag) the values of the modified groups are read and measured as well.
/// </summary>
internal static class DiffCommand
{
    private const string Usage = "diff takes two versions (files, rev:path or :path), '[<rev> [<rev>]] -- <path>…', or the seven arguments git passes to an external diff driver.";

    public static Command Create()
    {
        var files = new Argument<string[]>("args") { Description = "Two versions (a file, rev:path, or :path for the staged one); or [<rev> [<rev>]] -- <path>…; or, as git's external diff, path old-file old-hex old-mode new-file new-hex new-mode.", Arity = ArgumentArity.ZeroOrMore };
        var stat = new Option<bool>("--stat") { Description = "Also read the values of every modified group and show how much it changed (max |Δ|, ‖Δ‖₂, ‖Δ‖₂/‖old‖₂, elements changed)." };
        var command = new Command("diff", "Show which parameter groups differ between two versions of a checkpoint (git diff driver).");
        command.Arguments.Add(files);
        command.Options.Add(stat);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var values = parse.GetValue(files) ?? Array.Empty<string>();

            // The values no longer show where "--" stood; the tokens do: what follows it are paths.
            var doubleDash = parse.Tokens.Any(t => t.Type == TokenType.DoubleDash);
            var paths = parse.Tokens.SkipWhile(t => t.Type != TokenType.DoubleDash).Count(t => t.Type == TokenType.Argument);
            using var repository = TryOpen();
            var sides = new DiffSideReader(repository);
            var measure = parse.GetValue(stat) || ThetaSettings.LoadDiffStat(Environment.GetEnvironmentVariable, key => repository?.Git.GetConfig(key));
            if (doubleDash && repository is not null)
            {
                // Models are read before anything is printed, so a broken shard index gives one error line and no half a diff.
                var (models, covered) = Models(values, values.Length - paths, sides, repository);
                foreach (var (before, after) in models)
                {
                    WriteModel(before, after, measure, sides, Console.Out, UseColor());
                }

                foreach (var (before, after) in Pairs(values, values.Length - paths, sides, repository, covered))
                {
                    Write(before, after, measure, sides, Console.Out, UseColor());
                }

                return ExitCode.Success;
            }

            foreach (var (before, after) in Pairs(values, doubleDash ? values.Length - paths : null, sides, repository))
            {
                Write(before, after, measure, sides, Console.Out, UseColor());
            }

            return ExitCode.Success;
        }));
        return command;
    }

    /// <summary>
    /// The sharded checkpoints the paths after "--" name (a shard index, or a folder that holds one), as two versions
    /// each, and the shards they cover, which are then left out of the per-file diffs.
    /// </summary>
    private static (IReadOnlyList<(ModelSide Before, ModelSide After)> Models, HashSet<string> Covered) Models(string[] values, int revisions, DiffSideReader sides, ThetaRepository repository)
    {
        var models = new List<(ModelSide, ModelSide)>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        if (revisions > 2 || revisions == values.Length)
        {
            return (models, covered);
        }

        var reader = new ModelSideReader(repository, sides);
        var before = revisions == 0 ? null : values[0];
        var after = revisions == 2 ? values[1] : null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pathspec in values[revisions..])
        {
            var isFile = File.Exists(pathspec) && !ShardIndex.IsIndexPath(pathspec);
            if (isFile || pathspec.IndexOfAny(new[] { '*', '?', '[' }) >= 0 || reader.FindIndex(sides.RelativePath(pathspec), before, after) is not { } index)
            {
                continue;
            }

            covered.Add(index);
            if (!seen.Add(index))
            {
                continue;
            }

            var old = before is null ? reader.FromIndex(index) : reader.FromRevision(before, index);
            var @new = after is null ? reader.FromWorkTree(index, old) : reader.FromRevision(after, index);
            if (old.Metadata is null && @new.Metadata is null)
            {
                throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"'{index}' exists in neither {before ?? "the index"} nor {after ?? "the work tree"}; name a shard index or a folder that has one.");
            }

            covered.UnionWith(old.Shards.Concat(@new.Shards).Select(s => s.Path));
            models.Add((old, @new));
        }

        return (models, covered);
    }

    /// <summary>A sharded checkpoint as one model: every group across the shards, with the shard that holds it.</summary>
    private static void WriteModel(ModelSide before, ModelSide after, bool measure, DiffSideReader sides, TextWriter output, bool color)
    {
        foreach (var side in new[] { before, after })
        {
            if (side.Disagreements.Count > 0)
            {
                var more = side.Disagreements.Count > 1 ? $" (and {side.Disagreements.Count - 1} more)" : string.Empty;
                CommandRunner.Warn($"{DiagnosticIds.ShardIndexMismatch}: the shard index '{side.IndexPath}' and its shards disagree: {side.Disagreements[0]}{more}; transformers would fail to load this model. Regenerate the index with the shards (save_pretrained), or fix its weight_map.");
            }
        }

        var diff = MetadataDiff.Compare(before.Metadata, after.Metadata);
        IReadOnlyList<GroupStatistics> statistics = Array.Empty<GroupStatistics>();
        if (measure && diff.Changes.Count > 0)
        {
            using var oldValues = new ShardedGroupValues(before, sides.OpenValues);
            using var newValues = new ShardedGroupValues(after, sides.OpenValues);
            statistics = DiffStatistics.Compute(diff, (after.Metadata ?? before.Metadata)!.CheckpointType, oldValues, newValues);
        }

        var folder = ShardIndex.FolderOf(after.IndexPath);
        string ShardName(ModelSide side, string group) => side.ShardOf.TryGetValue(group, out var shard) ? shard.Path[folder.Length..] : "-";
        var shards = Math.Max(before.Shards.Count, after.Shards.Count);
        output.WriteLine($"diff --git-theta a/{before.IndexPath} b/{after.IndexPath}");
        output.WriteLine($"sharded checkpoint: {Shards(before)} -> {Shards(after)}");
        if (diff.Changes.Count == 0)
        {
            output.WriteLine($"no parameter group changed across {shards} shards");
        }
        else
        {
            var width = diff.Changes.Max(c => c.Name.Length);
            var described = diff.Changes.Select(c => (Change: c, Text: Describe(c))).ToList();
            var textWidth = described.Max(d => d.Text.Length);
            foreach (var (change, text) in described)
            {
                var oldShard = ShardName(before, change.Name);
                var newShard = ShardName(after, change.Name);
                var where = change.Kind switch
                {
                    ChangeKind.Added => newShard,
                    ChangeKind.Removed => oldShard,
                    _ => oldShard == newShard ? newShard : $"{oldShard} -> {newShard}",
                };
                output.WriteLine(Colored($"{Label(change.Kind)} {change.Name.PadRight(width)}  {text.PadRight(textWidth)}  in {where}", change.Kind, color));
            }

            output.WriteLine($"{diff.Changes.Count} of {diff.Total} parameter groups differ across {shards} shards: {diff.Modified} modified, {diff.Added} added, {diff.Removed} removed");
        }

        var moved = after.ShardOf.Count(p => before.ShardOf.TryGetValue(p.Key, out var old) && old.Path != p.Value.Path && !diff.Changes.Any(c => c.Name == p.Key));
        if (moved > 0)
        {
            output.WriteLine($"{moved} parameter group(s) moved to another shard unchanged");
        }

        if (statistics.Count == 0)
        {
            return;
        }

        output.WriteLine();
        var nameWidth = Math.Max(statistics.Max(s => s.Name.Length), "total".Length);
        foreach (var group in statistics)
        {
            output.WriteLine(Colored($"{group.Name.PadRight(nameWidth)}  {StatisticsText.Describe(group)}", group.Kind, color));
        }

        output.WriteLine($"{"total".PadRight(nameWidth)}  {StatisticsText.DescribeTotal(statistics)}");
    }

    private static string Shards(ModelSide side) =>
        side.Shards.Count == 0 ? "none" : $"{side.Shards.Count} shards, {side.Metadata!.Parameters.Count} groups";

    private static string Label(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => "added   ",
        ChangeKind.Removed => "removed ",
        _ => "modified",
    };

    private static string Describe(GroupChange change) => change.Kind switch
    {
        ChangeKind.Added => Describe(change.After!),
        ChangeKind.Removed => Describe(change.Before!),
        _ => Describe(change.Before!) == Describe(change.After!) ? Describe(change.After!) : $"{Describe(change.Before!)} -> {Describe(change.After!)}",
    };

    /// <summary>The pairs of versions the arguments name; the new side of each is read against its old side.</summary>
    /// <param name="revisionCount">How many values came before "--"; null without "--".</param>
    /// <param name="covered">Paths already diffed as part of a sharded model.</param>
    private static IEnumerable<(DiffSide Before, DiffSide After)> Pairs(string[] values, int? revisionCount, DiffSideReader sides, ThetaRepository? repository, IReadOnlySet<string>? covered = null)
    {
        if (revisionCount is { } revisions)
        {
            // [<rev> [<rev>]] -- <path>…, like git diff: the old side defaults to the index, the new one to the working file.
            if (revisions > 2 || revisions == values.Length)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, Usage);
            }

            foreach (var relative in values[revisions..].SelectMany(p => Expand(p, values[..revisions], sides, repository)).Distinct(StringComparer.Ordinal).Where(p => covered?.Contains(p) != true))
            {
                var before = revisions == 0 ? sides.FromIndex(relative) : sides.FromRevision(values[0], relative);
                var after = revisions == 2 ? sides.FromRevision(values[1], relative) : sides.FromWorkingFile(relative, before.Metadata);
                yield return (before, after);
            }

            yield break;
        }

        if (values.Length == 7)
        {
            var path = values[0];
            var before = sides.FromBlobId(values[2], path) ?? sides.FromFile(values[1], path, null);
            var after = sides.FromBlobId(values[5], path) ?? sides.FromFile(values[4], path, before.Metadata);
            yield return (before, after);
        }
        else if (values.Length == 2)
        {
            var before = sides.FromSpecification(values[0], null);
            yield return (before, sides.FromSpecification(values[1], before.Metadata));
        }
        else
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, Usage);
        }
    }

    /// <summary>
    /// The tracked checkpoints a pathspec covers, as git diff would: a folder, "." or a glob stands for every tracked
    /// checkpoint under it that differs between the two sides (git's own <c>diff --name-only</c> decides which). A
    /// plain file path stands for itself even when nothing changed, so the diff says so.
    /// </summary>
    private static IEnumerable<string> Expand(string pathspec, string[] revisions, DiffSideReader sides, ThetaRepository? repository)
    {
        var isFile = pathspec.IndexOfAny(new[] { '*', '?', '[' }) < 0 && !Directory.Exists(pathspec) && pathspec is not ("." or "");
        if (repository?.WorkTree is not { } root || (isFile && File.Exists(pathspec)))
        {
            return new[] { sides.RelativePath(pathspec) };
        }

        var arguments = new[] { "diff", "--name-only", "--no-renames", "-z" }.Concat(revisions).Concat(new[] { "--", pathspec }).ToArray();
        var result = GitCli.Run(Environment.CurrentDirectory, arguments);
        result.ThrowIfFailed(arguments);
        var changed = result.Text.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var tracked = changed.Where(p => GitAttributes.IsTracked(root, p)).ToList();
        return tracked.Count == 0 && isFile ? new[] { sides.RelativePath(pathspec) } : tracked;
    }

    private static void Write(DiffSide before, DiffSide after, bool measure, DiffSideReader sides, TextWriter output, bool color)
    {
        var diff = MetadataDiff.Compare(before.Metadata, after.Metadata);

        // Measured before anything is printed, so a missing object gives one error line and no half a diff.
        var statistics = measure && diff.Changes.Count > 0 ? Measure(diff, before, after, sides) : Array.Empty<GroupStatistics>();
        Write(before.Path, after.Path, diff, output, color);
        if (statistics.Count == 0)
        {
            return;
        }

        output.WriteLine();
        var width = statistics.Max(s => s.Name.Length);
        foreach (var group in statistics)
        {
            output.WriteLine(Colored($"{group.Name.PadRight(width)}  {StatisticsText.Describe(group)}", group.Kind, color));
        }
    }

    private static IReadOnlyList<GroupStatistics> Measure(MetadataDiff diff, DiffSide before, DiffSide after, DiffSideReader sides)
    {
        using var oldValues = sides.OpenValues(before);
        using var newValues = sides.OpenValues(after);
        return DiffStatistics.Compute(diff, (after.Metadata ?? before.Metadata)!.CheckpointType, oldValues, newValues);
    }

    public static void Write(string oldName, string newName, MetadataDiff diff, TextWriter output, bool color)
    {
        output.WriteLine($"diff --git-theta a/{oldName.TrimStart('/')} b/{newName.TrimStart('/')}");
        if (diff.Changes.Count == 0)
        {
            output.WriteLine("no parameter group changed");
            return;
        }

        var width = diff.Changes.Max(c => c.Name.Length);
        foreach (var change in diff.Changes)
        {
            var label = change.Kind switch
            {
                ChangeKind.Added => "added   ",
                ChangeKind.Removed => "removed ",
                _ => "modified",
            };
            var description = change.Kind switch
            {
                ChangeKind.Added => Describe(change.After!),
                ChangeKind.Removed => Describe(change.Before!),
                _ => Describe(change.Before!) == Describe(change.After!) ? Describe(change.After!) : $"{Describe(change.Before!)} -> {Describe(change.After!)}",
            };
            output.WriteLine(Colored($"{label} {change.Name.PadRight(width)}  {description}", change.Kind, color));
        }

        output.WriteLine($"{diff.Changes.Count} of {diff.Total} parameter groups differ: {diff.Modified} modified, {diff.Added} added, {diff.Removed} removed");
    }

    private static string Colored(string line, ChangeKind kind, bool color)
    {
        if (!color)
        {
            return line;
        }

        var code = kind switch
        {
            ChangeKind.Added => "\u001b[32m",
            ChangeKind.Removed => "\u001b[31m",
            _ => "\u001b[33m",
        };
        return code + line + "\u001b[0m";
    }

    private static string Describe(ParameterEntry entry) =>
        $"{entry.Tensor.DType} [{string.Join(", ", entry.Tensor.Shape)}] {entry.Update.Type}";

    private static ThetaRepository? TryOpen()
    {
        try
        {
            return RepositoryContext.Open();
        }
        catch (ThetaException)
        {
            return null;
        }
    }

    private static bool UseColor() =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
}
