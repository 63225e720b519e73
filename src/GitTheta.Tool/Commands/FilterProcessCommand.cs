using System.CommandLine;
using GitTheta.Core.Filters;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>git's long-running filter process: one process serves a whole git add or checkout.</summary>
public static class FilterProcessCommand
{
    public static Command Create()
    {
        var command = new Command("filter-process", "Long-running filter process (called by git, protocol version 2).");
        command.SetAction(_ => CommandRunner.Run(() =>
        {
            PipeTuning.Enlarge(0);
            PipeTuning.Enlarge(1);
            using var session = FilterSession.Open();
            var handler = session.Handler;
            using var input = new BufferedStream(Console.OpenStandardInput(), 1 << 16);
            using var output = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
            new FilterProcessServer(input, output, handler, CommandRunner.Log).Run();
            return ExitCode.Success;
        }));
        return command;
    }
}
