using System.CommandLine;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>The single-shot smudge filter: metadata on stdin, the checkpoint on stdout.</summary>
internal static class SmudgeCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The file's path relative to the repository root (git passes %f)." };
        var command = new Command("smudge", "Smudge filter (called by git): read git-theta metadata on stdin, write the checkpoint on stdout.");
        command.Arguments.Add(path);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var session = FilterSession.Open();
            var handler = session.Handler;
            using var input = Console.OpenStandardInput();
            using var result = handler.Smudge(input, parse.GetValue(path)!);
            using var output = new BufferedStream(Console.OpenStandardOutput(), 1 << 20);
            result.WriteTo(output);
            output.Flush();
            return ExitCode.Success;
        }));
        return command;
    }
}
