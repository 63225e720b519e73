using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary><c>git theta help [command]</c>: the same text as <c>-h</c>, or the command's man page.</summary>
internal static class HelpCommand
{
    public static Command Create(RootCommand root)
    {
        var name = new Argument<string?>("command") { Description = "The command to describe (default: all commands).", Arity = ArgumentArity.ZeroOrOne };
        var man = new Option<bool>("--man") { Description = "Print the manual page (roff) instead, as installed by 'git theta install'." };
        var command = new Command("help", "Show help for git-theta or one of its commands.");
        command.Arguments.Add(name);
        command.Options.Add(man);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var wanted = parse.GetValue(name);
            var target = wanted is null ? null : CommandTree.Commands(root).FirstOrDefault(c => c.Name == wanted || c.Aliases.Contains(wanted))
                ?? throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{wanted}' is not a git-theta command; 'git theta help' lists them.");
            if (parse.GetValue(man))
            {
                Console.Write(ManPage.Render(root, target));
                return ExitCode.Success;
            }

            var exit = root.Parse(target is null ? new[] { "-h" } : new[] { target.Name, "-h" }).Invoke();
            Console.WriteLine();
            Console.WriteLine($"Reference: {ManPage.CommandsReference(target)}");
            return (ExitCode)exit;
        }));
        return command;
    }
}
