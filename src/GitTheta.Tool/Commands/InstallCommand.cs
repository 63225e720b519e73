using System.CommandLine;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Writes the filter, diff and merge driver config, and the pre-push hook.</summary>
internal static class InstallCommand
{
    public static Command Create()
    {
        var scope = ScopeOption.Create();
        var command = new Command("install", "Configure git to use git-theta's filter, diff and merge drivers (named \"theta\") and install the pre-push hook.");
        command.Options.Add(scope);
        command.SetAction(parse => CommandRunner.Run(() => Install(parse.GetValue(scope)!)));
        return command;
    }

    public static ExitCode Install(string scope)
    {
        var flag = ScopeOption.Flag(scope);
        var directory = Environment.CurrentDirectory;
        var self = SelfInvocation.Command();
        var inRepository = GitCli.Run(directory, "rev-parse", "--git-dir").Succeeded;
        if (!inRepository && scope == "repository")
        {
            throw new Core.Diagnostics.ThetaException(Core.Diagnostics.DiagnosticIds.NotAGitRepository, $"'{directory}' is not inside a git repository; run 'git theta install' inside one, or use --scope global.");
        }

        // GitTheta.Sdk runs this tool from the NuGet packages folder, which a cache clear empties: the repository gets a
        // copy of the tool and drivers that run it through a shim under .git/theta/ (RepositoryShim says why).
        var entry = SelfInvocation.EntryAssemblyPath;
        var fromSdk = false;
        if (inRepository && scope == "repository" && RepositoryShim.SdkPackage(entry) is { } package)
        {
            fromSdk = true;
            self = RepositoryShim.Install(directory, Environment.ProcessPath ?? "dotnet", package.Directory, package.Version, Path.GetFileName(entry));
        }

        foreach (var (key, value) in DriverConfig.Entries(self))
        {
            GitCli.Check(directory, "config", flag, key, value);
        }

        if (!GitCli.Run(directory, "lfs", "version").Succeeded)
        {
            CommandRunner.Warn("git-lfs is not installed; commits work, but pushing and fetching parameter objects needs it (https://git-lfs.com, or 'apt-get install git-lfs').");
        }

        if (inRepository)
        {
            PrePushHook.Install(directory, self);
            var restored = WorkingFileRestorer.RestoreMetadataOnlyFiles(directory);
            if (restored > 0)
            {
                Console.WriteLine($"Rebuilt {restored} checkpoint(s) that were checked out as git-theta metadata.");
            }
        }

        // A build configuring the repository is not a person installing the tool; its package folder is not on PATH either.
        if (!fromSdk)
        {
            ManPageInstaller.Install(scope, directory);
        }

        Console.WriteLine($"git-theta installed ({scope} scope): filter, diff and merge drivers \"theta\" run {self}.");
        return ExitCode.Success;
    }
}
