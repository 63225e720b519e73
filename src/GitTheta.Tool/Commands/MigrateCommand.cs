using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;
using GitTheta.Tool.Progress;

namespace GitTheta.Tool.Commands;

/// <summary>Rewrites history so that files matching patterns are git-theta metadata in every commit (like 'git lfs migrate import').</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var include = new Option<string[]>("--include", "-I") { Description = "gitattributes-style patterns of the checkpoints to convert (comma-separated or repeated), e.g. \"*.safetensors\".", Required = true, AllowMultipleArgumentsPerToken = true };
        var everything = new Option<bool>("--everything") { Description = "Rewrite every local branch and tag." };
        var refs = new Argument<string[]>("refs") { Description = "Branches or tags to rewrite; the current branch when none is given.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("migrate", $"Rewrite history so that matching files are git-theta metadata in every commit (git-lfs pointers and plain checkpoints are converted); refs are backed up under {HistoryMigrator.BackupPrefix}.");
        command.Options.Add(include);
        command.Options.Add(everything);
        command.Arguments.Add(refs);
        var progressOptions = ProgressOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var progress = progressOptions.Resolve(parse);
            using var repository = RepositoryContext.Open();
            WorkProgressReporter.AttachToFetcher(repository, progress, () => "parameter objects", threshold: 0);
            var root = RepositoryContext.WorkTree(repository);
            var patterns = parse.GetValue(include)!.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
            if (patterns.Count == 0)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, "give the checkpoints to convert: git theta migrate --include=\"*.safetensors\".");
            }

            var named = parse.GetValue(refs) ?? Array.Empty<string>();
            if (parse.GetValue(everything) && named.Length > 0)
            {
                throw new ThetaException(DiagnosticIds.InvalidArguments, "give either --everything or refs to rewrite, not both.");
            }

            var targets = parse.GetValue(everything) ? AllRefs(root) : named.Length > 0 ? named.Select(r => FullRef(root, r)).ToList() : new List<string> { FullRef(root, "HEAD") };
            using var reporter = progress.Enabled ? new WorkProgressReporter(progress, () => "Rewriting commits") : null;
            var migrator = new HistoryMigrator(repository, patterns) { Progress = reporter };
            var report = migrator.Migrate(targets);
            Console.WriteLine($"Rewrote {report.CommitsRewritten} commit(s); converted {report.Files.Count} file(s): {string.Join(", ", report.Files)}.");
            foreach (var (name, old, updated) in report.Refs)
            {
                Console.WriteLine($"  {name}: {old[..12]} -> {updated[..12]} (backup: {HistoryMigrator.BackupPrefix}{name["refs/".Length..]})");
            }

            if (report.Refs.Count == 0)
            {
                Console.WriteLine("No ref changed: nothing matched, or it was git-theta metadata already.");
            }

            return ExitCode.Success;
        }));
        return command;
    }

    private static List<string> AllRefs(string root) =>
        Core.Git.GitCli.Check(root, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string FullRef(string root, string name)
    {
        var result = Core.Git.GitCli.Run(root, "rev-parse", "--symbolic-full-name", name);
        var full = result.Text.Trim();
        return result.Succeeded && full.StartsWith("refs/", StringComparison.Ordinal)
            ? full
            : throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{name}' is not a branch or tag (a detached HEAD cannot be migrated); give a branch or tag name, or --everything.");
    }
}
