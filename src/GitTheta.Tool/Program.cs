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
})
{
    root.Subcommands.Add(command);
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"git-theta: error {GitTheta.Core.Diagnostics.DiagnosticIds.InvalidArguments}: {error.Message} (see 'git-theta --help').");
    }

    return (int)GitTheta.Tool.Infrastructure.ExitCode.Usage;
}

return parsed.Invoke();
