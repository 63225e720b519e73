using System.CommandLine;
using GitTheta.Core.Repositories;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Tool.Infrastructure;
using GitTheta.Tool.Merging;
using Spectre.Console;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The merge driver (git passes %O %A %B %P): merges a checkpoint per parameter group and writes the merged metadata
/// to %A. Groups changed on one side merge by themselves; conflicts are resolved by the configured strategies
/// (rules, GIT_THETA_MERGE_STRATEGY, the theta-merge attribute, theta.merge.strategy), else interactively on a
/// terminal, else the merge fails at once naming every conflict. GIT_THETA_MANUAL_MERGE=1 writes the three
/// checkpoints out for a merge by hand instead.
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var ancestor = new Argument<string>("ancestor") { Description = "%O: the common ancestor's version." };
        var ours = new Argument<string>("ours") { Description = "%A: our version; the result is written here." };
        var theirs = new Argument<string>("theirs") { Description = "%B: their version." };
        var path = new Argument<string>("path") { Description = "%P: the path being merged." };
        var command = new Command("merge", "Merge driver (called by git): three-way merge of a checkpoint, per parameter group.");
        command.Arguments.Add(ancestor);
        command.Arguments.Add(ours);
        command.Arguments.Add(theirs);
        command.Arguments.Add(path);
        command.SetAction(parse => CommandRunner.Run(() => Merge(parse.GetValue(ancestor)!, parse.GetValue(ours)!, parse.GetValue(theirs)!, parse.GetValue(path)!)));
        return command;
    }

    private static ExitCode Merge(string ancestorFile, string oursFile, string theirsFile, string path)
    {
        using var repository = RepositoryContext.Open();
        var versions = new MergeVersionReader(repository, path);
        var oursMetadata = versions.ReadSide(oursFile, "our");
        var theirsMetadata = versions.ReadSide(theirsFile, "their");
        var baseMetadata = versions.ReadAncestor(ancestorFile);
        if (ThetaSettings.ParseBool(Environment.GetEnvironmentVariable(ManualMerge.EnvironmentVariable), false))
        {
            return ManualMerge.Run(repository, path, baseMetadata, oursMetadata, theirsMetadata);
        }

        // This merge supersedes a manual merge of the same file that git aborted or the user gave up.
        ManualMerge.RemoveLeftovers(repository, path);

        var registry = repository.MergeStrategies;
        var selection = MergeStrategySelection.Load(MergeStrategySourcesReader.Read(repository, path), registry);
        var merger = new CheckpointMerger(repository.Engine);
        var plan = merger.Plan(baseMetadata, oursMetadata, theirsMetadata, path);

        var choices = new Dictionary<string, SelectedStrategy>(StringComparer.Ordinal);
        var pending = new List<MergeGroup>();
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in plan.Conflicts)
        {
            if (selection.For(group.Name) is not { } selected)
            {
                pending.Add(group);
            }
            else if (CheckpointMerger.WhyNotApplicable(selected.Choice.Strategy, group) is { } problem)
            {
                pending.Add(group);
                notes[group.Name] = $"{problem} (chosen by {selected.Source})";
            }
            else
            {
                choices[group.Name] = selected;
            }
        }

        // Without a terminal nothing may wait for an answer: fail now, naming every group that needs one.
        var interactive = pending.Count > 0 && MergeTerminal.CanPrompt;
        if (pending.Count > 0 && !interactive)
        {
            throw new ThetaException(DiagnosticIds.MergeConflict, ConflictReport.Unresolved(path, pending.Where(g => !notes.ContainsKey(g.Name)).ToList(), notes.Values.ToList(), registry));
        }

        var console = interactive ? CreateConsole() : null;
        if (console is not null)
        {
            var answers = AskOnTerminal(console, path, plan, pending, notes, registry);
            if (answers is null)
            {
                CommandRunner.Log($"{path}: merge stopped; the file stays in conflict and holds our version. Run the merge again with 'git checkout -m -- {path}', or take a side with 'git checkout --ours -- {path}' (or --theirs), or 'git merge --abort'.");
                return ExitCode.Conflict;
            }

            foreach (var (name, answer) in answers)
            {
                choices[name] = answer;
            }
        }

        var result = merger.Complete(plan, choices);
        File.WriteAllBytes(oursFile, MetadataSerializer.Serialize(result.Metadata));
        if (console is not null)
        {
            MergeSummary.WriteTable(console, path, result);
        }
        else
        {
            MergeSummary.Log(path, result);
        }

        return ExitCode.Success;
    }

    /// <summary>The menu's answers, or null after quit; the end of the terminal's input fails the merge with GT2017.</summary>
    private static Dictionary<string, SelectedStrategy>? AskOnTerminal(IAnsiConsole console, string path, MergePlan plan, List<MergeGroup> pending, Dictionary<string, string> notes, MergeStrategyRegistry registry)
    {
        try
        {
            return new InteractiveMergeSession(console, registry).Choose(plan, pending, notes);
        }
        catch (MergeInputEndedException e)
        {
            // The prompt was left mid-draw: give the terminal its cursor and a fresh line back before the error.
            console.Cursor.Show();
            console.WriteLine();
            throw new ThetaException(
                DiagnosticIds.MergeConflict,
                $"{path}: {e.Message} before every conflict had a strategy; nothing was merged, the file stays in conflict and holds our version. "
                + $"Run the merge again with 'git checkout -m -- {path}', choose without the menu with '{MergeStrategySources.EnvironmentVariable}=<strategy> git checkout -m -- {path}', "
                + $"take a side with 'git checkout --ours -- {path}' (or --theirs), or give up with 'git merge --abort'.");
        }
    }

    private static IAnsiConsole CreateConsole() => new MergeMenuConsole(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Interactive = InteractionSupport.Yes,
        Out = new AnsiConsoleOutput(Console.Out),
    }));
}
