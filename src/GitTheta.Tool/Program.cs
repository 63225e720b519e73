using GitTheta.Tool.Commands;
using GitTheta.Tool.Infrastructure;

WorkerThreads.Reserve();

// What git runs for every add and checkout: straight to the filter, without building the command tree.
if (args is ["filter-process"])
{
    return FilterProcessCommand.Run();
}

var root = CommandTree.Create();
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line, as for every other error: System.CommandLine reports an unknown command twice (missing and unrecognized).
    var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
    var command = parsed.CommandResult.Command;
    var help = command is System.CommandLine.RootCommand ? "git theta help" : $"git theta help {command.Name}";
    Console.Error.WriteLine($"git-theta: error {GitTheta.Core.Diagnostics.DiagnosticIds.InvalidArguments}: {System.Text.RegularExpressions.Regex.Replace(error.Message, @"\s*\n\s*", " ").TrimEnd('.')} (see '{help}').");

    return (int)ExitCode.Usage;
}

return parsed.Invoke();
