using GitTheta.Core.Merges;
using GitTheta.Tool.Infrastructure;
using Spectre.Console;

namespace GitTheta.Tool.Merging;

/// <summary>What a finished merge did: a table on the terminal, plain lines on standard error otherwise.</summary>
internal static class MergeSummary
{
    /// <summary>Every group that changed on some side (unchanged ones are counted, not listed).</summary>
    public static void WriteTable(IAnsiConsole console, string path, MergeResult result)
    {
        var table = new Table().Title($"Merged {Markup.Escape(path)}").AddColumns("Parameter group", "What happened", "Resolution", "Result");
        foreach (var record in result.Groups.Where(r => r.Group.State != GroupMergeState.Unchanged))
        {
            table.AddRow(
                Markup.Escape(record.Group.Name),
                Markup.Escape(record.Group.State.Describe()),
                Markup.Escape(Resolution(record)),
                Markup.Escape(Outcome(record)));
        }

        console.Write(table);
        console.WriteLine(Totals(result));
    }

    /// <summary>One line per conflict that a setting resolved, then the totals.</summary>
    public static void Log(string path, MergeResult result)
    {
        foreach (var record in result.Groups.Where(r => r.Strategy is not null))
        {
            CommandRunner.Log($"{path}: {record.Group.Name} ({record.Group.State.Describe()}): {Resolution(record)} -> {Outcome(record)}.");
        }

        CommandRunner.Log($"{path}: {Totals(result)}");
    }

    private static string Resolution(GroupMergeRecord record) =>
        record.Strategy is { } strategy ? $"{strategy.Choice} ({strategy.Source})" : "automatic";

    private static string Outcome(GroupMergeRecord record) => record switch
    {
        { Result: null } => "deleted",
        { Computed: true } => $"new {record.Result.Tensor.DType} value, object {record.Result.Object.Oid[..12]}",
        _ => record.KeptSide switch
        {
            MergeSide.Ours => "our entry",
            MergeSide.Theirs => "their entry",
            _ => "the ancestor's entry",
        },
    };

    private static string Totals(MergeResult result)
    {
        var unchanged = result.Groups.Count(r => r.Group.State == GroupMergeState.Unchanged);
        var automatic = result.Groups.Count(r => r.Strategy is null && r.Group.State != GroupMergeState.Unchanged);
        var resolved = result.Groups.Count(r => r.Strategy is not null);
        var container = result.ContainerSource switch
        {
            MergeSide.Ours => "our file layout",
            MergeSide.Theirs => "their file layout",
            MergeSide.Base => "the ancestor's file layout",
            _ => "a new file layout",
        };
        return $"{result.Metadata.Parameters.Count} groups in the result ({unchanged} unchanged, {automatic} merged automatically, {resolved} conflict{(resolved == 1 ? string.Empty : "s")} resolved), {container}.";
    }
}
