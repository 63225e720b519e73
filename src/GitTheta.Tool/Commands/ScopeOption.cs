using System.CommandLine;

namespace GitTheta.Tool.Commands;

/// <summary>--scope repository|global|system, mapped to git config's --local/--global/--system.</summary>
internal static class ScopeOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--scope")
        {
            Description = "Where to write the configuration: repository (.git/config), global (~/.gitconfig) or system.",
            DefaultValueFactory = _ => "repository",
        };
        option.AcceptOnlyFromAmong("repository", "global", "system");
        return option;
    }

    public static string Flag(string scope) => scope switch
    {
        "global" => "--global",
        "system" => "--system",
        _ => "--local",
    };
}
