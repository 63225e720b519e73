using GitTheta.Core.Merges;

namespace GitTheta.Tool.Merging;

/// <summary>The one message of a merge that cannot finish without a choice: every conflicting group, and how to choose.</summary>
internal static class ConflictReport
{
    public static string Unresolved(string path, IReadOnlyList<MergeGroup> unresolved, IReadOnlyList<string> inapplicable, MergeStrategyRegistry registry)
    {
        var parts = new List<string>();
        if (unresolved.Count > 0)
        {
            parts.Add($"{unresolved.Count} parameter group{(unresolved.Count == 1 ? string.Empty : "s")} conflict{(unresolved.Count == 1 ? "s" : string.Empty)} and no merge strategy is set for {(unresolved.Count == 1 ? "it" : "them")}: "
                + string.Join(", ", unresolved.Select(g => $"{g.Name} ({g.State.Describe()})")));
        }

        parts.AddRange(inapplicable);
        return $"{path}: {string.Join("; ", parts)}. "
            + $"Choose a strategy ({string.Join(", ", registry.Names)}) and merge again: for this run with {MergeStrategySources.EnvironmentVariable}=<strategy> "
            + $"(e.g. {MergeStrategySources.EnvironmentVariable}=average, or average:alpha=0.3), per group with 'git config --add {MergeStrategySources.RuleKey} \"<glob>=<strategy>\"', "
            + $"for the path with the gitattribute {MergeStrategySources.AttributeName}=<strategy>, or for the repository with 'git config {MergeStrategySources.ConfigKey} <strategy>'; "
            + $"or run the merge in a terminal to choose interactively, or take one side with 'git checkout --ours -- {path}' (or --theirs). See docs/merging.md.";
    }
}
