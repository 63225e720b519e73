using System.CommandLine;
using GitTheta.Tool.Commands;

var root = new RootCommand("git-theta: version control for machine-learning checkpoints inside git. Each parameter group is stored as its own object; unchanged groups are never stored twice.");
foreach (var command in new[]
{
    InstallCommand.Create(),
    UninstallCommand.Create(),
    TrackCommand.Create(),
    UntrackCommand.Create(),
    AddCommand.Create(),
    LsFilesCommand.Create(),
    DiffCommand.Create(),
    FetchCommand.Create(),
    MaterializeCommand.Create(),
    CleanCommand.Create(),
    SmudgeCommand.Create(),
    FilterProcessCommand.Create(),
    PrePushCommand.Create(),
    MergeCommand.Create(),
})
{
    root.Subcommands.Add(command);
}

return root.Parse(args).Invoke();
