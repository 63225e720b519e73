using System.CommandLine;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary><c>git theta completion bash|zsh|pwsh</c>: prints a completion script for the shell.</summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "The shell: bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong(CompletionScript.Shells.ToArray());
        var command = new Command("completion", "Print a shell completion script for git-theta (bash, zsh or pwsh).");
        command.Arguments.Add(shell);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            // The tree is rebuilt rather than passed in: completion is part of it, and the script lists itself too.
            Console.Write(CompletionScript.Render(CommandTree.Create(), parse.GetValue(shell)!));
            return ExitCode.Success;
        }));
        return command;
    }
}
