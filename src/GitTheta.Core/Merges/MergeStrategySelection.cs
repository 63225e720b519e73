using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Merges;

/// <summary>
/// Which strategy resolves a conflicting group when nobody is asked. The most specific setting wins:
/// <list type="number">
/// <item>a <c>theta.merge.rule</c> whose glob matches the group name (the last matching rule, so a repository's rule
/// overrides a global one and <c>git -c</c> overrides both);</item>
/// <item>GIT_THETA_MERGE_STRATEGY (this run);</item>
/// <item>the path's gitattribute <c>theta-merge</c>;</item>
/// <item>git config <c>theta.merge.strategy</c>.</item>
/// </list>
/// Every setting is parsed up front, so a typo fails the merge before anything is read or written.
/// </summary>
internal sealed class MergeStrategySelection
{
    private readonly IReadOnlyList<(GroupNamePattern Pattern, SelectedStrategy Strategy)> rules;
    private readonly SelectedStrategy? fallback;

    private MergeStrategySelection(IReadOnlyList<(GroupNamePattern, SelectedStrategy)> rules, SelectedStrategy? fallback)
    {
        this.rules = rules;
        this.fallback = fallback;
    }

    /// <summary>True when no setting names any strategy.</summary>
    public bool IsEmpty => rules.Count == 0 && fallback is null;

    public static MergeStrategySelection Load(MergeStrategySources sources, MergeStrategyRegistry registry)
    {
        var rules = new List<(GroupNamePattern, SelectedStrategy)>();
        foreach (var rule in sources.Rules)
        {
            var source = $"git config {MergeStrategySources.RuleKey} '{rule}'";
            var equals = rule.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || string.IsNullOrWhiteSpace(rule[..equals]))
            {
                throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{source} is not <glob>=<strategy>; write it like 'git config --add {MergeStrategySources.RuleKey} \"*.bias=ours\"', see docs/merging.md.");
            }

            var glob = rule[..equals].Trim();
            GroupNamePattern pattern;
            try
            {
                pattern = new GroupNamePattern(glob);
            }
            catch (ArgumentException e)
            {
                throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{source}: '{glob}' is not a valid glob ({e.Message}); see docs/merging.md for the glob syntax.");
            }

            rules.Add((pattern, new SelectedStrategy(StrategyChoice.Parse(rule[(equals + 1)..], registry, source), source)));
        }

        SelectedStrategy? fallback = null;
        foreach (var (value, source) in new[]
        {
            (sources.Environment, MergeStrategySources.EnvironmentVariable),
            (sources.Attribute, $"gitattribute {MergeStrategySources.AttributeName}"),
            (sources.Config, $"git config {MergeStrategySources.ConfigKey}"),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (value == "set")
            {
                // What git check-attr reports for a bare 'theta-merge' with no value.
                throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{source} has no value; write {MergeStrategySources.AttributeName}=<strategy> in .gitattributes, see docs/merging.md.");
            }

            var parsed = new SelectedStrategy(StrategyChoice.Parse(value, registry, source), source);
            fallback ??= parsed;
        }

        return new MergeStrategySelection(rules, fallback);
    }

    /// <summary>The strategy for a group, or null when no setting covers it.</summary>
    public SelectedStrategy? For(string groupName)
    {
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            if (rules[i].Pattern.Matches(groupName))
            {
                return rules[i].Strategy;
            }
        }

        return fallback;
    }
}
