using System.CommandLine;
using System.Reflection;
using GitTheta.Tool.Commands;

namespace GitTheta.Tool.Infrastructure;

/// <summary>
/// The one description of the command line: parsing, <c>help</c>, the man pages and the completion scripts are all
/// rendered from this tree, and a test holds docs/commands.md to it.
/// </summary>
internal static class CommandTree
{
    public const string ToolName = "git-theta";

    public static string Version =>
        typeof(CommandTree).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The project's home page (Directory.Build.props' GitThetaProjectUrl), which help and the man pages link to.</summary>
    public static string ProjectUrl =>
        typeof(CommandTree).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GitThetaProjectUrl")?.Value ?? string.Empty;

    public static string CommandsReference => ProjectUrl + "/blob/main/docs/commands.md";

    public static RootCommand Create()
    {
        var root = new RootCommand("git-theta: version control for machine-learning checkpoints inside git. Each parameter group is stored as its own object; unchanged groups are never stored twice.");
        foreach (var command in new[]
        {
            InstallCommand.Create(),
            UninstallCommand.Create(),
            TrackCommand.Create(),
            UntrackCommand.Create(),
            AddCommand.Create(),
            LsFilesCommand.Create(),
            StatusCommand.Create(),
            DiffCommand.Create(),
            FetchCommand.Create(),
            VerifyCommand.Create(),
            GcCommand.Create(),
            MaterializeCommand.Create(),
            CleanCommand.Create(),
            SmudgeCommand.Create(),
            FilterProcessCommand.Create(),
            PrePushCommand.Create(),
            MergeCommand.Create(),
            SquashCommand.Create(),
            LogCommand.Create(),
            ShowCommand.Create(),
            MigrateCommand.Create(),
            EnvCommand.Create(),
            CompletionCommand.Create(),
        })
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(HelpCommand.Create(root));
        return root;
    }

    /// <summary>The commands a user sees in help, man pages and completion.</summary>
    public static IEnumerable<Command> Commands(Command root) => root.Subcommands.Where(c => !c.Hidden);

    /// <summary>Every spelling of the options of a command, the help option included.</summary>
    public static IEnumerable<string> OptionNames(Command command) =>
        command.Options.Where(o => !o.Hidden).SelectMany(o => new[] { o.Name }.Concat(o.Aliases)).Concat(new[] { "-h", "--help" }).Distinct();

    /// <summary>The first sentence of a description, for one-line listings.</summary>
    public static string Summary(string? description)
    {
        var text = description ?? string.Empty;
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).TrimEnd('.');
    }
}
