namespace GitTheta.Core.Merges;

/// <summary>
/// The raw settings that choose strategies without a terminal, as the tool found them: every value of the
/// multi-valued git config <c>theta.merge.rule</c> (<c>&lt;glob&gt;=&lt;strategy&gt;</c>, in git's order), the environment
/// variable GIT_THETA_MERGE_STRATEGY, the path's gitattribute <c>theta-merge</c> and git config <c>theta.merge.strategy</c>.
/// </summary>
internal sealed record MergeStrategySources(IReadOnlyList<string> Rules, string? Environment, string? Attribute, string? Config)
{
    public const string EnvironmentVariable = "GIT_THETA_MERGE_STRATEGY";
    public const string RuleKey = "theta.merge.rule";
    public const string ConfigKey = "theta.merge.strategy";
    public const string AttributeName = "theta-merge";

    public static MergeStrategySources None { get; } = new(Array.Empty<string>(), null, null, null);
}
