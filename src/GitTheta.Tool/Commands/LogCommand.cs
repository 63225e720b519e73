using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>The history of a tracked checkpoint, or of one of its parameter groups, with the update type of each change.</summary>
internal static class LogCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The tracked checkpoint." };
        var parameter = new Option<string?>("--param") { Description = "Show the history of this parameter group only." };
        var count = new Option<int?>("--max-count", "-n") { Description = "Show at most this many commits." };
        var revision = new Option<string>("--rev") { Description = "Where the history starts.", DefaultValueFactory = _ => "HEAD" };
        var command = new Command("log", "Show the commits that changed a checkpoint, or one parameter group, with how each change is stored.");
        command.Arguments.Add(file);
        command.Options.Add(parameter);
        command.Options.Add(count);
        command.Options.Add(revision);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var relative = repository.Git.RelativePath(parse.GetValue(file)!);
            var rev = parse.GetValue(revision)!;
            if (repository.Git.ResolveCommit(rev) is null)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown revision '{rev}'.");
            }

            if (parse.GetValue(count) is < 1)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, "--max-count must be a positive whole number.");
            }

            var name = parse.GetValue(parameter);
            var shown = 0;
            var mentioned = false;
            foreach (var revisionEntry in CheckpointHistory.Of(repository, root, relative, rev))
            {
                if (parse.GetValue(count) is { } limit && shown >= limit)
                {
                    break;
                }

                var lines = name is null ? Summary(revisionEntry) : GroupLines(revisionEntry, name, ref mentioned);
                if (lines.Count == 0)
                {
                    continue;
                }

                Console.WriteLine($"{revisionEntry.Commit[..12]} {revisionEntry.Date} {revisionEntry.Subject}");
                foreach (var line in lines)
                {
                    Console.WriteLine("    " + line);
                }

                shown++;
            }

            if (name is not null && !mentioned)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, $"no parameter group '{name}' in the history of '{relative}' from {rev}; 'git theta log {relative}' lists the commits, 'git theta show {rev}:{relative}' the groups.");
            }

            return ExitCode.Success;
        }));
        return command;
    }

    private static List<string> Summary(CheckpointRevision revision)
    {
        if (revision.Metadata is null)
        {
            return new List<string> { revision.Parent is null ? "not git-theta metadata" : "removed, or no longer git-theta metadata" };
        }

        var changes = revision.Changes;
        var after = changes.Changes.Where(c => c.After is not null).Select(c => c.After!).ToList();
        var types = string.Join(", ", after.GroupBy(e => e.Update.Type).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
        var depth = revision.Metadata.Parameters.Values.Max(e => (int?)e.Update.Depth) ?? 0;
        var headline = revision.Parent is null
            ? $"{revision.Metadata.Parameters.Count} parameter groups ({types})"
            : changes.Changes.Count == 0
                ? "no parameter group changed"
                : $"{changes.Changes.Count} of {changes.Total} parameter groups changed: {changes.Modified} modified, {changes.Added} added, {changes.Removed} removed" + (types.Length > 0 ? $"; stored as {types}" : string.Empty);
        return new List<string> { depth > 0 ? $"{headline}; deepest update chain {depth}" : headline };
    }

    private static List<string> GroupLines(CheckpointRevision revision, string name, ref bool mentioned)
    {
        ParameterEntry? after = null;
        ParameterEntry? before = null;
        revision.Metadata?.Parameters.TryGetValue(name, out after);
        revision.Parent?.Parameters.TryGetValue(name, out before);
        mentioned |= after is not null || before is not null;
        if (after is null)
        {
            return before is null ? new List<string>() : new List<string> { "removed" };
        }

        if (before is not null && before.Object.Oid == after.Object.Oid && before.Update.Equals(after.Update) && before.Tensor.ToInfo(name).SameLayout(after.Tensor.ToInfo(name)))
        {
            return new List<string>();
        }

        var update = after.Update;
        var how = update.Depth > 0 || update.Base is not null
            ? $"{update.Type} update on {Short(update.Base)} (chain depth {update.Depth})"
            : update.Type;
        return new List<string> { $"{(before is null ? "added" : "modified")}: {how}, {after.Tensor.DType} [{string.Join(", ", after.Tensor.Shape)}], object {after.Object.Oid[..12]} ({ByteSize.Format(after.Object.Size)})" };
    }

    private static string Short(string? commit) => commit is { Length: >= 12 } ? commit[..12] : commit ?? "an uncommitted value";
}
