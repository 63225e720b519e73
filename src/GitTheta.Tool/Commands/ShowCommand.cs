using System.CommandLine;
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
            if (name is null && !parse.GetValue(json) && location.Path.EndsWith(ShardIndexSuffix, StringComparison.Ordinal))
            {
                WriteShardedSummary(repository, location, Console.Out);
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

    private const string ShardIndexSuffix = ".index.json";

    /// <summary>
    /// A sharded checkpoint (<c>model-0000N-of-0000M.safetensors</c> and <c>model.safetensors.index.json</c>), summarised
    /// as one model: the index's weight_map names the shards, each is read as every tracked version is read.
    /// </summary>
    private static void WriteShardedSummary(ThetaRepository repository, RevisionPath index, TextWriter output)
    {
        var blobId = index.IsIndex
            ? repository.Git.IndexStages(index.Path).GetValueOrDefault(index.Stage)
            : repository.Git.ResolveCommit(index.Revision!) is { } commit ? repository.Git.FindBlob(commit, index.Path)?.BlobId : null;
        var bytes = (blobId is null ? null : repository.Git.ReadBlob(blobId, 64L << 20))
            ?? throw new ThetaException(DiagnosticIds.NotFoundAtRevision, $"'{index}' does not exist; 'git ls-tree -r --name-only {index.Revision ?? "HEAD"}' lists the files.");
        var folder = index.Path.Contains('/') ? index.Path[..(index.Path.LastIndexOf('/') + 1)] : string.Empty;
        List<string> shards;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(bytes);
            shards = document.RootElement.GetProperty("weight_map").EnumerateObject()
                .Select(p => folder + p.Value.GetString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{index}' is not a shard index (a JSON object with a \"weight_map\" of group names to shard files); give the index of a sharded checkpoint, or one shard.");
        }

        var versions = shards.Select(s => repository.ReadVersion(index with { Path = s })).ToList();
        var summaries = versions.Select(v => CheckpointSummary.Of(v.Metadata)).ToList();
        var objects = summaries.SelectMany(s => s.Objects).DistinctBy(o => o.Oid).ToList();
        var missing = objects.Count(o => !repository.Store.Contains(o));
        output.WriteLine($"'{index.Path}' {(index.IsIndex ? "in " + index.Where : "at " + index.Revision)}: a sharded checkpoint of {shards.Count} shards");
        WriteFields(output, new[]
        {
            ("groups", summaries.Sum(s => s.Groups.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("parameters", $"{summaries.Sum(s => s.ParameterCount)} ({ByteSize.Format(summaries.Sum(s => s.ValueBytes))})"),
            ("objects", $"{objects.Count} ({ByteSize.Format(objects.Sum(o => o.Size))}), {missing} missing from the local store" + (missing > 0 ? " (git theta fetch)" : string.Empty)),
        });
        output.WriteLine();
        var rows = new List<string[]> { new[] { "shard", "format", "groups", "parameters", "bytes" } };
        rows.AddRange(versions.Zip(summaries, (v, s) => new[]
        {
            v.Location.Path,
            s.Format,
            s.Groups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ByteSize.Format(s.ValueBytes),
        }));
        WriteTable(output, rows, rightAligned: new[] { 2, 3, 4 });
    }

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
