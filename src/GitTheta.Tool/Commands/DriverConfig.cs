namespace GitTheta.Tool.Commands;

/// <summary>The git config that binds the "theta" filter, diff and merge drivers to this tool.</summary>
internal static class DriverConfig
{
    public static readonly string[] Sections = { "filter.theta", "diff.theta", "merge.theta" };

    public static IEnumerable<(string Key, string Value)> Entries(string self) => new[]
    {
        ("filter.theta.clean", $"{self} clean %f"),
        ("filter.theta.smudge", $"{self} smudge %f"),
        ("filter.theta.process", $"{self} filter-process"),
        ("filter.theta.required", "true"),
        ("diff.theta.command", $"{self} diff"),
        ("merge.theta.name", "git-theta per-parameter-group merge"),
        ("merge.theta.driver", $"{self} merge %O %A %B %P"),
    };
}
