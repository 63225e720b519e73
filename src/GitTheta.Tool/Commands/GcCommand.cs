using System.CommandLine;
using System.Globalization;
using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using GitTheta.Core.Storage;
using GitTheta.Tool.Infrastructure;
using GitTheta.Tool.Progress;

namespace GitTheta.Tool.Commands;

/// <summary>Deletes the objects of the local store that nothing git keeps refers to, once they are past a grace period.</summary>
internal static class GcCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Report what would be removed; change nothing." };
        var prune = new Option<string?>("--prune")
        {
            Description = $"Remove unreferenced objects changed before this date, in git's syntax: now, never, 2.weeks.ago, \"3 hours ago\" (default: git config {PruneExpiry.ConfigKey}, else {PruneExpiry.DefaultValue}).",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List every object removed (or that would be), and every unreferenced object kept for its age." };
        var command = new Command("gc", "Remove parameter objects (and git-lfs objects) from the local store that no ref, reflog, index or stash needs any more.");
        command.Options.Add(dryRun);
        command.Options.Add(prune);
        command.Options.Add(verbose);
        var progressOptions = ProgressOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var progress = progressOptions.Resolve(parse);
            using var repository = RepositoryContext.Open();
            var directory = repository.WorkTree ?? repository.GitDirectory;
            var keepChangedSince = PruneExpiry.Resolve(directory, parse.GetValue(prune));
            WarnAboutSharedStorage(repository);
            using var reporter = parse.GetValue(dryRun) || !progress.Enabled ? null : new WorkProgressReporter(progress, () => "Removing unreferenced objects");
            var collector = new ObjectCollector(repository.Store, new ReachableObjectScanner(directory)) { Progress = reporter };
            var report = collector.Collect(keepChangedSince, parse.GetValue(dryRun));
            if (parse.GetValue(verbose))
            {
                PrintDetails(report, keepChangedSince);
            }

            foreach (var problem in report.Problems)
            {
                CommandRunner.Warn($"could not remove object {problem}");
            }

            PrintSummary(report);
            return ExitCode.Success;
        }));
        return command;
    }

    private static void PrintDetails(CollectionReport report, DateTime keepChangedSince)
    {
        var grace = keepChangedSince == DateTime.MaxValue ? "none, every unreferenced object goes"
            : keepChangedSince == DateTime.MinValue ? "forever, no object goes"
            : $"unreferenced objects changed since {keepChangedSince.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC stay";
        Console.WriteLine($"grace period: {grace}");
        var removedVerb = report.DryRun ? "would remove" : "removed";
        foreach (var removed in report.Removed)
        {
            Console.WriteLine($"{removedVerb} {removed.Oid} ({ByteSize.Format(removed.Size)})");
        }

        foreach (var recent in report.Recent)
        {
            Console.WriteLine($"kept {recent.Oid} ({ByteSize.Format(recent.Size)}): unreferenced, changed within the grace period");
        }

        foreach (var temp in report.TempFilesRemoved)
        {
            Console.WriteLine($"{removedVerb} temp file {temp.Path} ({ByteSize.Format(temp.Size)})");
        }
    }

    private static void PrintSummary(CollectionReport report)
    {
        var (remove, keep) = report.DryRun ? ("Would remove", "would keep") : ("Removed", "kept");
        Console.WriteLine(
            $"{remove} {report.Removed.Count} unreferenced object(s) ({ByteSize.Format(report.RemovedBytes)}); {keep} {report.KeptCount} object(s) ({ByteSize.Format(report.KeptBytes)}): "
            + $"{report.Referenced.Count} referenced, {report.Recent.Count} changed within the grace period.");
        if (report.TempFilesRemoved.Count > 0)
        {
            Console.WriteLine($"{remove} {report.TempFilesRemoved.Count} stale temp file(s) ({ByteSize.Format(report.TempBytesRemoved)}).");
        }
    }

    /// <summary>A store outside the repository may be shared, and gc only knows this repository's references.</summary>
    private static void WarnAboutSharedStorage(ThetaRepository repository)
    {
        var common = Path.TrimEndingDirectorySeparator(repository.Git.CommonDirectory) + Path.DirectorySeparatorChar;
        if (!string.IsNullOrWhiteSpace(repository.Git.GetConfig("lfs.storage")) && !repository.Store.Root.StartsWith(common, StringComparison.Ordinal))
        {
            CommandRunner.Warn($"lfs.storage puts the object store outside this repository ({repository.Store.Root}); if other repositories share it, the objects only they use are deleted too. Run gc only on a store this repository has to itself.");
        }
    }
}
