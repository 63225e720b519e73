using System.CommandLine;
using System.Globalization;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using GitTheta.Core.Storage;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// A checkpoint as git stores it at a revision or in the index: a summary and a table of its groups, one group in
/// detail, or the metadata blob itself. Read from metadata alone; no object is read.
/// </summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("revision-and-file") { Description = "<rev>:<file> (a path from the top of the repository, or ./ relative), :<file> or :<n>:<file> (the index, stage n), or <file> (the index)." };
        var parameter = new Option<string?>("--param") { Description = "Show this parameter group in detail." };
        var json = new Option<bool>("--json") { Description = "Print the metadata blob exactly as git stores it." };
        var command = new Command("show", "Summarise a tracked checkpoint as stored at a revision or in the index, or one of its parameter groups.");
        command.Arguments.Add(target);
        command.Options.Add(parameter);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var name = parse.GetValue(parameter);
            if (name is not null && parse.GetValue(json))
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, $"--json prints the whole metadata blob; leave out --param, or pick the group with jq: git theta show <rev>:<file> --json | jq '.parameters[\"{name}\"]'.");
            }

            using var repository = RepositoryContext.Open();
            var location = RevisionPath.Parse(parse.GetValue(target)!, repository.Git.RelativePath);
            if (!parse.GetValue(json) && ShardedModelVersion.FindIndex(repository, location) is { } index)
            {
                var model = ShardedModelVersion.Read(repository, index);
                WarnAboutDisagreements(model);
                if (name is null)
                {
                    WriteShardedSummary(model, repository.Store, Console.Out);
                    return ExitCode.Success;
                }

                var shard = model.Shards.FirstOrDefault(v => v.Location.Path == model.Index.WeightMap.GetValueOrDefault(name) && v.Metadata.Parameters.ContainsKey(name))
                    ?? model.Shards.FirstOrDefault(v => v.Metadata.Parameters.ContainsKey(name))
                    ?? throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"no shard of '{model.Location}' has a parameter group '{name}'; 'git theta show {model.Location}' lists its groups.");
                WriteGroup(shard, CheckpointSummary.Of(shard.Metadata).Find(name)!, repository.Store, Console.Out);
                return ExitCode.Success;
            }

            var version = repository.ReadVersion(location);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(version.Bytes);
                return ExitCode.Success;
            }

            var summary = CheckpointSummary.Of(version.Metadata);
            if (name is null)
            {
                WriteSummary(version, summary, repository.Store, Console.Out);
                return ExitCode.Success;
            }

            var group = summary.Find(name)
                ?? throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"{version.Description} has no parameter group '{name}'; 'git theta show {version.Location}' lists its {summary.Groups.Count} groups.");
            WriteGroup(version, group, repository.Store, Console.Out);
            return ExitCode.Success;
        }));
        return command;
    }

    public static void WriteSummary(CheckpointVersion version, CheckpointSummary summary, LfsObjectStore store, TextWriter output)
    {
        var missing = summary.Objects.Count(o => !store.Contains(o));
        output.WriteLine($"{version.Description}, blob {version.BlobId[..12]}");
        WriteFields(output, new[]
        {
            ("format", summary.Format),
            ("container", $"{summary.Container.Size} B, object {summary.Container.Oid[..12]}"),
            ("groups", summary.Groups.Count.ToString()),
            ("parameters", $"{summary.ParameterCount} ({summary.ValueBytes} bytes, {ByteSize.Format(summary.ValueBytes)})"),
            ("dtypes", Tally(summary.GroupsByDType)),
            ("updates", Tally(summary.GroupsByUpdateType) + (summary.DeepestChain > 0 ? $"; deepest update chain {summary.DeepestChain}" : string.Empty)),
            ("objects", $"{summary.Objects.Count} ({ByteSize.Format(summary.StoredBytes)}), {missing} missing from the local store" + (missing > 0 ? " (git theta fetch)" : string.Empty)),
        });

        if (summary.Groups.Count == 0)
        {
            return;
        }

        output.WriteLine();
        var rows = new List<string[]> { new[] { "name", "dtype", "shape", "parameters", "bytes", "stored", "update" } };
        rows.AddRange(summary.Groups.Select(g => new[]
        {
            g.Name,
            g.Entry.Tensor.DType.ToString(),
            g.Info.ShapeText,
            g.ElementCount.ToString(),
            ByteSize.Format(g.ValueBytes),
            ByteSize.Format(g.Entry.Object.Size),
            g.Entry.Update.Depth > 0 ? $"{g.Entry.Update.Type} (chain depth {g.Entry.Update.Depth})" : g.Entry.Update.Type,
        }));
        WriteTable(output, rows, rightAligned: new[] { 3, 4, 5 });
    }

    /// <summary>
    /// A sharded checkpoint summarised as one model: totals over every shard, one row per shard, then every group of the
    /// model with the shard that holds it, and a total row.
    /// </summary>
    public static void WriteShardedSummary(ShardedModelVersion model, LfsObjectStore store, TextWriter output)
    {
        var summaries = model.Shards.Select(v => CheckpointSummary.Of(v.Metadata)).ToList();
        var groups = model.Shards.Zip(summaries, (v, s) => s.Groups.Select(g => (Shard: v.Location.Path, Group: g))).SelectMany(x => x)
            .OrderBy(x => x.Group.Name, StringComparer.Ordinal).ThenBy(x => x.Shard, StringComparer.Ordinal).ToList();
        var objects = summaries.SelectMany(s => s.Objects).DistinctBy(o => o.Oid).ToList();
        var missing = objects.Count(o => !store.Contains(o));
        var parameters = summaries.Sum(s => s.ParameterCount);
        var valueBytes = summaries.Sum(s => s.ValueBytes);
        var storedBytes = groups.Sum(g => g.Group.Entry.Object.Size);
        var where = model.Location.IsIndex ? "in " + model.Location.Where : $"at {model.Location.Revision} (commit {model.Shards[0].Commit![..12]})";
        output.WriteLine($"'{model.Location.Path}' {where}: a sharded checkpoint of {model.Shards.Count} shards");
        WriteFields(output, new[]
        {
            ("shards", $"{model.Shards.Count} ({string.Join(", ", summaries.Select(s => s.Format).Distinct(StringComparer.Ordinal))})"),
            ("groups", groups.Count.ToString(CultureInfo.InvariantCulture)),
            ("parameters", $"{parameters} ({valueBytes} bytes, {ByteSize.Format(valueBytes)})"),
            ("dtypes", Tally(Sum(summaries.Select(s => s.GroupsByDType)))),
            ("updates", Tally(Sum(summaries.Select(s => s.GroupsByUpdateType))) + (summaries.Max(s => s.DeepestChain) is var deepest and > 0 ? $"; deepest update chain {deepest}" : string.Empty)),
            ("objects", $"{objects.Count} ({ByteSize.Format(objects.Sum(o => o.Size))}), {missing} missing from the local store" + (missing > 0 ? " (git theta fetch)" : string.Empty)),
        });
        output.WriteLine();
        var shardRows = new List<string[]> { new[] { "shard", "format", "groups", "parameters", "bytes" } };
        shardRows.AddRange(model.Shards.Zip(summaries, (v, s) => new[]
        {
            v.Location.Path,
            s.Format,
            s.Groups.Count.ToString(CultureInfo.InvariantCulture),
            s.ParameterCount.ToString(CultureInfo.InvariantCulture),
            ByteSize.Format(s.ValueBytes),
        }));
        WriteTable(output, shardRows, rightAligned: new[] { 2, 3, 4 });
        output.WriteLine();

        // Shards are named as the index names them (relative to its folder), which keeps the table narrow.
        var rows = new List<string[]> { new[] { "name", "shard", "dtype", "shape", "parameters", "bytes", "stored", "update" } };
        rows.AddRange(groups.Select(g => new[]
        {
            g.Group.Name,
            g.Shard[model.Index.Folder.Length..],
            g.Group.Entry.Tensor.DType.ToString(),
            g.Group.Info.ShapeText,
            g.Group.ElementCount.ToString(CultureInfo.InvariantCulture),
            ByteSize.Format(g.Group.ValueBytes),
            ByteSize.Format(g.Group.Entry.Object.Size),
            g.Group.Entry.Update.Depth > 0 ? $"{g.Group.Entry.Update.Type} (chain depth {g.Group.Entry.Update.Depth})" : g.Group.Entry.Update.Type,
        }));
        rows.Add(new[]
        {
            "total",
            $"{model.Shards.Count} shards",
            string.Empty,
            string.Empty,
            parameters.ToString(CultureInfo.InvariantCulture),
            ByteSize.Format(valueBytes),
            ByteSize.Format(storedBytes),
            $"{groups.Count} groups",
        });
        WriteTable(output, rows, rightAligned: new[] { 4, 5, 6 });
    }

    /// <summary>An index that disagrees with its shards still gets its summary (it is history), with one warning line.</summary>
    public static void WarnAboutDisagreements(ShardedModelVersion model)
    {
        if (model.Disagreements.Count > 0)
        {
            var more = model.Disagreements.Count > 1 ? $" (and {model.Disagreements.Count - 1} more)" : string.Empty;
            CommandRunner.Warn($"{DiagnosticIds.ShardIndexMismatch}: the shard index '{model.Location}' and its shards disagree: {model.Disagreements[0]}{more}; transformers would fail to load this model. Regenerate the index with the shards (save_pretrained), or fix its weight_map.");
        }
    }

    private static IReadOnlyList<KeyValuePair<string, int>> Sum(IEnumerable<IReadOnlyList<KeyValuePair<string, int>>> tallies) =>
        tallies.SelectMany(t => t).GroupBy(p => p.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, int>(g.Key, g.Sum(p => p.Value))).ToList();

    public static void WriteGroup(CheckpointVersion version, GroupSummary group, LfsObjectStore store, TextWriter output)
    {
        var entry = group.Entry;
        var update = entry.Update;
        output.WriteLine($"{version.Description}, parameter group '{group.Name}'");
        var fields = new List<(string, string)>
        {
            ("dtype", entry.Tensor.DType.ToString()),
            ("shape", group.Info.ShapeText),
            ("elements", group.ElementCount.ToString()),
            ("bytes", $"{group.ValueBytes} ({ByteSize.Format(group.ValueBytes)})"),
            ("object", Describe(entry.Object, store)),
            ("update", update.Type),
        };
        if (update.Base is not null)
        {
            fields.Add(("base", update.Base));
        }

        foreach (var (key, value) in update.Fields ?? new Dictionary<string, string>())
        {
            fields.Add((key, value));
        }

        if (update.Chain is { Count: > 0 } chain)
        {
            fields.Add(("chain depth", chain.Count.ToString()));
            fields.AddRange(chain.Select((link, i) => (i == 0 ? "chain" : string.Empty, $"{link.Type} {Describe(link.Object, store)}")));
        }

        fields.Add(("lsh", entry.Tensor.Lsh.ToString()));
        if (entry.Tensor.ContentHash is { } contentHash)
        {
            fields.Add(("xxh3", contentHash));
        }

        WriteFields(output, fields);
    }

    private static string Describe(ObjectRef reference, LfsObjectStore store) =>
        $"{reference.Oid} ({reference.Size} bytes, {(store.Contains(reference) ? "in the local store" : "missing from the local store")})";

    /// <summary>"10 F32, 2 F16": counts first, as git theta log writes them.</summary>
    private static string Tally(IReadOnlyList<KeyValuePair<string, int>> counts) =>
        string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}"));

    private static void WriteFields(TextWriter output, IReadOnlyList<(string Key, string Value)> fields)
    {
        var width = fields.Max(f => f.Key.Length) + 2;
        foreach (var (key, value) in fields)
        {
            output.WriteLine((key.Length > 0 ? key + ":" : string.Empty).PadRight(width) + value);
        }
    }

    /// <summary>Plain aligned columns: readable in a terminal, and stable in a pipe or a file (no box drawing, no width guess).</summary>
    private static void WriteTable(TextWriter output, IReadOnlyList<string[]> rows, IReadOnlyCollection<int> rightAligned)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, c) => c == row.Length - 1 ? cell : rightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            output.WriteLine(string.Join("  ", cells));
        }
    }
}
