using System.CommandLine;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The tracked checkpoints with staged or unstaged changes, per-group counts of what is staged, and what stands in the
/// way of using them: metadata in the work tree, a checkpoint staged without the filter, objects not in the local store.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("path") { Description = "Limit the report to these files or folders (git pathspecs).", Arity = ArgumentArity.ZeroOrMore };
        var shortFormat = new Option<bool>("--short", "-s") { Description = "One line per file: git's two status letters, the path, then the group counts and problems." };
        var groups = new Option<bool>("--groups") { Description = "Also count the changed parameter groups of modified working files (reads and hashes each one, like git diff)." };
        var command = new Command("status", "Show which tracked checkpoints have staged or unstaged changes, by parameter group, and which need 'git theta install' or 'git theta fetch'.");
        command.Arguments.Add(paths);
        command.Options.Add(shortFormat);
        command.Options.Add(groups);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var pathspecs = (parse.GetValue(paths) ?? Array.Empty<string>()).Select(repository.Git.RelativePath).ToList();
            var report = new CheckpointStatusReader(repository).Read(pathspecs, parse.GetValue(groups));
            if (parse.GetValue(shortFormat))
            {
                WriteShort(report, Console.Out);
            }
            else
            {
                WriteLong(report, pathspecs.Count > 0, Console.Out);
            }

            return ExitCode.Success;
        }));
        return command;
    }

    public static void WriteShort(IReadOnlyList<CheckpointStatus> report, TextWriter output)
    {
        foreach (var file in report.Where(f => f.IsNoteworthy))
        {
            var notes = new List<string>();
            if (file.StagedGroups is { } staged)
            {
                notes.Add("staged: " + Counts(staged));
            }

            if (file.NotStagedGroups is { } notStaged)
            {
                notes.Add("not staged: " + Counts(notStaged));
            }

            notes.AddRange(Problems(file));
            output.WriteLine($"{file.Code} {file.Path}" + (notes.Count > 0 ? "  " + string.Join("; ", notes) : string.Empty));
        }
    }

    public static void WriteLong(IReadOnlyList<CheckpointStatus> report, bool limited, TextWriter output)
    {
        if (report.Count == 0)
        {
            output.WriteLine(limited ? "no checkpoint tracked by git-theta matches the given paths" : "no checkpoint is tracked by git-theta ('git theta track <file>' starts tracking one)");
            return;
        }

        var unmerged = report.Where(f => f.Staged == FileChange.Unmerged).ToList();
        var staged = report.Where(f => f.Staged is not (FileChange.Unchanged or FileChange.Unmerged)).ToList();
        var notStaged = report.Where(f => f.NotStaged is not (FileChange.Unchanged or FileChange.Unmerged)).ToList();
        Section(output, "Unmerged paths (use 'git add <file>' to mark the resolution):", unmerged, f => $"{UnmergedLabel(f.Code),-16}{f.Path}");
        Section(output, "Changes to be committed (use 'git restore --staged <file>' to unstage):", staged, f => Label(f.Staged) + f.Path + Groups(f.StagedGroups, f.Staged));
        Section(output, "Changes not staged for commit (use 'git add <file>' to stage them):", notStaged, f => Label(f.NotStaged) + f.Path + Groups(f.NotStagedGroups, f.NotStaged));
        Section(output, "Checked out as git-theta metadata, not as the checkpoint (run 'git theta install' to rebuild them):", report.Where(f => f.MetadataInWorkTree).ToList(), f => f.Path);
        Section(output, "Staged as the file itself, not as git-theta metadata (run 'git theta install', then 'git add' them again):", report.Where(f => f.StagedAsPlainFile).ToList(), f => f.Path);
        Section(output, "Objects missing from the local store (run 'git theta fetch'):", report.Where(f => f.ObjectsMissing > 0).ToList(), f => $"{f.Path}: {f.ObjectsMissing} of {f.ObjectsNeeded} objects");

        var summary = new List<string> { report.Count == 1 ? "1 tracked checkpoint" : $"{report.Count} tracked checkpoints" };
        if (unmerged.Count > 0)
        {
            summary.Add($"{unmerged.Count} unmerged");
        }

        if (staged.Count > 0)
        {
            summary.Add($"{staged.Count} with changes to be committed");
        }
        else if (unmerged.Count == 0)
        {
            summary.Add(notStaged.Count > 0 ? "no changes added to commit" : "nothing to commit, working tree clean");
        }

        output.WriteLine(string.Join(", ", summary));
    }

    private static void Section(TextWriter output, string heading, IReadOnlyList<CheckpointStatus> files, Func<CheckpointStatus, string> line)
    {
        if (files.Count == 0)
        {
            return;
        }

        output.WriteLine(heading);
        foreach (var file in files)
        {
            output.WriteLine("\t" + line(file));
        }

        output.WriteLine();
    }

    private static IEnumerable<string> Problems(CheckpointStatus file)
    {
        if (file.MetadataInWorkTree)
        {
            yield return "metadata in the work tree (git theta install)";
        }

        if (file.StagedAsPlainFile)
        {
            yield return "staged as the file itself, not metadata (git theta install, then git add)";
        }

        if (file.ObjectsMissing > 0)
        {
            yield return $"{file.ObjectsMissing} of {file.ObjectsNeeded} objects missing (git theta fetch)";
        }
    }

    private static string Label(FileChange change) => change switch
    {
        FileChange.Added => "new file:   ",
        FileChange.Deleted => "deleted:    ",
        FileChange.TypeChanged => "typechange: ",
        _ => "modified:   ",
    };

    /// <summary>git status's words for the two sides of an unmerged path.</summary>
    private static string UnmergedLabel(string code) => code switch
    {
        "DD" => "both deleted:",
        "AU" => "added by us:",
        "UD" => "deleted by them:",
        "UA" => "added by them:",
        "DU" => "deleted by us:",
        "AA" => "both added:",
        _ => "both modified:",
    };

    private static string Groups(MetadataDiff? diff, FileChange change) => diff switch
    {
        null => string.Empty,
        { Changes.Count: 0 } => " (no parameter group changed)",
        _ when change == FileChange.Added => $" ({diff.Added} groups)",
        _ => $" ({diff.Changes.Count} of {diff.Total} groups: {Counts(diff)})",
    };

    private static string Counts(MetadataDiff diff) => $"{diff.Modified} modified, {diff.Added} added, {diff.Removed} removed";
}
