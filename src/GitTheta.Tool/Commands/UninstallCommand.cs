using System.CommandLine;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Removes what install wrote, restoring a pre-push hook it had chained.</summary>
internal static class UninstallCommand
{
    public static Command Create()
    {
        var scope = ScopeOption.Create();
        var command = new Command("uninstall", "Remove git-theta's driver configuration and pre-push hook.");
        command.Options.Add(scope);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var directory = Environment.CurrentDirectory;
            var flag = ScopeOption.Flag(parse.GetValue(scope)!);
            foreach (var section in DriverConfig.Sections)
            {
                // Exit code 128 means the section was not there: nothing to remove is not an error.
                GitCli.Run(directory, "config", flag, "--remove-section", section);
            }

            if (GitCli.Run(directory, "rev-parse", "--git-dir").Succeeded)
            {
                PrePushHook.Uninstall(directory);
                if (parse.GetValue(scope) == "repository")
                {
                    RepositoryShim.Uninstall(directory);
                }
            }

            Console.WriteLine("git-theta uninstalled.");
            return ExitCode.Success;
        }));
        return command;
    }
}
