using GitTheta.Core.Merges;
using Spectre.Console;

namespace GitTheta.Tool.Merging;

/// <summary>
/// Asks, group by group, how to resolve the conflicts no setting resolved: a menu of only the strategies that can
/// resolve that group, prompts for their numbers with validation, "apply to all remaining", and quit. Each menu
/// opens on a line that is no choice, so a stray Enter chooses nothing and the menu is asked again; the end of the
/// terminal's input (Ctrl-D) throws <see cref="MergeInputEndedException"/> out of any prompt.
/// </summary>
internal sealed class InteractiveMergeSession
{
    private const string Source = "chosen interactively";

    private static readonly MenuItem Placeholder = new("(move to a choice with the arrow keys, then press Enter)", MenuAction.None, null);

    private readonly IAnsiConsole console;
    private readonly MergeStrategyRegistry registry;

    public InteractiveMergeSession(IAnsiConsole console, MergeStrategyRegistry registry)
    {
        this.console = console;
        this.registry = registry;
    }

    private enum MenuAction
    {
        None,
        Resolve,
        ApplyToRemaining,
        Quit,
    }

    /// <summary>A strategy for each pending group, or null when the user quit.</summary>
    public Dictionary<string, SelectedStrategy>? Choose(MergePlan plan, IReadOnlyList<MergeGroup> pending, IReadOnlyDictionary<string, string> notes)
    {
        var chosen = new Dictionary<string, SelectedStrategy>(StringComparer.Ordinal);
        console.Write(new Rule($"[bold]git-theta merge of {Markup.Escape(plan.Path)}[/]").LeftJustified());
        var automatic = plan.Groups.Count(g => !g.State.IsConflict() && g.State != GroupMergeState.Unchanged);
        console.MarkupLine($"{plan.Groups.Count} parameter groups: {automatic} merged automatically, {plan.Conflicts.Count} in conflict, {pending.Count} to resolve here.");
        for (var index = 0; index < pending.Count; index++)
        {
            var group = pending[index];
            if (chosen.ContainsKey(group.Name))
            {
                continue;
            }

            Show(group, index, pending.Count, notes.GetValueOrDefault(group.Name));
            var remaining = pending.Skip(index + 1).Where(g => !chosen.ContainsKey(g.Name)).ToList();
            var menu = registry.ApplicableTo(group).Select(s => new MenuItem($"{s.Name}: {s.Describe(group)}", MenuAction.Resolve, s)).ToList();
            if (remaining.Count > 0)
            {
                menu.Add(new MenuItem($"apply one strategy to this and the {remaining.Count} remaining conflict{(remaining.Count == 1 ? string.Empty : "s")}…", MenuAction.ApplyToRemaining, null));
            }

            menu.Add(new MenuItem("quit: stop here and leave the file in conflict for git", MenuAction.Quit, null));
            var item = Select($"How should [bold]{Markup.Escape(group.Name)}[/] be merged?", menu);
            switch (item.Action)
            {
                case MenuAction.Quit:
                    return null;
                case MenuAction.Resolve:
                    chosen[group.Name] = new SelectedStrategy(AskArguments(item.Strategy!), Source);
                    console.MarkupLine($"  {Markup.Escape(group.Name)}: [green]{Markup.Escape(chosen[group.Name].Choice.ToString())}[/]");
                    break;
                default:
                    var strategy = Select(
                        "Which strategy, for this and every remaining conflict it can resolve?",
                        registry.ApplicableTo(group).Select(s => new MenuItem($"{s.Name}: {s.Description}", MenuAction.Resolve, s)).ToList()).Strategy!;
                    var all = new SelectedStrategy(AskArguments(strategy), Source + " for all remaining");
                    chosen[group.Name] = all;
                    var applied = remaining.Where(strategy.AppliesTo).ToList();
                    foreach (var other in applied)
                    {
                        chosen[other.Name] = all;
                    }

                    var skipped = remaining.Count - applied.Count;
                    console.MarkupLine($"  {Markup.Escape(all.Choice.ToString())} for {applied.Count + 1} group{(applied.Count == 0 ? string.Empty : "s")}"
                        + (skipped > 0 ? $"; {skipped} it cannot resolve will be asked next." : "."));
                    break;
            }
        }

        return chosen;
    }

    /// <summary>A choice from <paramref name="choices"/>; Enter on the opening line, which is none of them, asks again.</summary>
    private MenuItem Select(string title, IReadOnlyList<MenuItem> choices)
    {
        var prompt = new SelectionPrompt<MenuItem>()
            .Title(title)
            .PageSize(Math.Max(3, choices.Count + 1))
            .UseConverter(m => Markup.Escape(m.Label))
            .AddChoices(choices.Prepend(Placeholder));
        while (true)
        {
            var item = console.Prompt(prompt);
            if (item.Action != MenuAction.None)
            {
                return item;
            }

            console.MarkupLine("  [grey]Nothing chosen: move to a choice with the arrow keys, then press Enter (Ctrl-D stops the merge).[/]");
        }
    }

    private void Show(MergeGroup group, int index, int count, string? note)
    {
        console.WriteLine();
        console.MarkupLine($"[bold]Conflict {index + 1} of {count}: {Markup.Escape(group.Name)}[/] was [yellow]{Markup.Escape(group.State.Describe())}[/].");
        if (note is not null)
        {
            console.MarkupLine($"  [grey]{Markup.Escape(note)}[/]");
        }

        var table = new Table().AddColumns("Version", "dtype", "shape", "update", "object");
        foreach (var side in new[] { MergeSide.Ours, MergeSide.Theirs, MergeSide.Base })
        {
            var entry = group.Entry(side);
            table.AddRow(
                side.Label(),
                entry is null ? "-" : entry.Tensor.DType.ToString(),
                entry is null ? "-" : Markup.Escape("[" + string.Join(", ", entry.Tensor.Shape) + "]"),
                entry is null ? "-" : Markup.Escape(entry.Update.Type),
                entry is null ? (side == MergeSide.Base ? "(not in the ancestor)" : "(deleted)") : entry.Object.Oid[..12]);
        }

        console.Write(table);
    }

    private StrategyChoice AskArguments(IMergeStrategy strategy)
    {
        while (true)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var parameter in strategy.Parameters)
            {
                values[parameter.Name] = console.Prompt(new TextPrompt<double>($"  {Markup.Escape(parameter.Symbol)} ({Markup.Escape(parameter.Description)})?")
                    .DefaultValue(parameter.Default)
                    .Validate(v => parameter.Check(v) is { } problem ? ValidationResult.Error(Markup.Escape(problem)) : ValidationResult.Success()));
            }

            var arguments = new MergeArguments(values);
            if (strategy.CheckArguments(arguments) is not { } error)
            {
                return new StrategyChoice(strategy, arguments);
            }

            console.MarkupLine($"  [red]{Markup.Escape(error)}[/]; enter them again.");
        }
    }

    private sealed record MenuItem(string Label, MenuAction Action, IMergeStrategy? Strategy);
}
