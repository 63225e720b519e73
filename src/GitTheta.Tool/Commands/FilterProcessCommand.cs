using System.CommandLine;
using GitTheta.Core.Filters;
using GitTheta.Core.IO;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>git's long-running filter process: one process serves a whole git add or checkout.</summary>
internal static class FilterProcessCommand
{
    public static Command Create()
    {
        var command = new Command("filter-process", "Long-running filter process (called by git, protocol version 2).");
        command.SetAction(_ => Run());
        return command;
    }

    /// <summary>
    /// Serves git until it closes the pipe. Program calls this directly for <c>git-theta filter-process</c>: building
    /// the whole command tree first cost every git add and checkout about a third of the tool's start-up.
    /// </summary>
    public static int Run() => CommandRunner.Run(() =>
    {
        PipeTuning.Enlarge(0);
        PipeTuning.Enlarge(1);
        using var session = FilterSession.Open();
        var handler = session.Handler;
        // Unbuffered on purpose: pkt-line framing already reads and writes whole packets, and a buffer in between
        // would copy every byte of every model once more.
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        var smudgeAhead = Core.Git.GitInvocation.MayDelaySmudge() ? session.Repository.Settings.SmudgeAheadBytes : 0;
        new FilterProcessServer(input, output, handler, CommandRunner.Log, smudgeAhead).Run();
        return ExitCode.Success;
    });
}
