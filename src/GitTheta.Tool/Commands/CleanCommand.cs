using System.CommandLine;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>The single-shot clean filter: a checkpoint on stdin, its metadata on stdout.</summary>
internal static class CleanCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The file's path relative to the repository root (git passes %f)." };
        var command = new Command("clean", "Clean filter (called by git): read a checkpoint on stdin, write git-theta metadata on stdout.");
        command.Arguments.Add(path);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var session = FilterSession.Open();
            var handler = session.Handler;
            using var input = Console.OpenStandardInput();
            var metadata = handler.Clean(input, parse.GetValue(path)!);
            using var output = Console.OpenStandardOutput();
            output.Write(metadata);
            return ExitCode.Success;
        }));
        return command;
    }
}
