using System.CommandLine;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Lists the files in the index that git-theta tracks.</summary>
public static class LsFilesCommand
{
    public static Command Create()
    {
        var command = new Command("ls-files", "List the checkpoints in the index that git-theta tracks.");
        command.SetAction(_ => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            foreach (var path in TrackedFiles(root))
            {
                Console.WriteLine(path);
            }

            return ExitCode.Success;
        }));
        return command;
    }

    public static IReadOnlyList<string> TrackedFiles(string root)
    {
        var files = GitCli.Run(root, "ls-files", "-z");
        files.ThrowIfFailed(new[] { "ls-files" });
        var paths = files.Text.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var filters = GitAttributes.GetAll(root, paths, "filter");
        return paths.Where(p => filters.TryGetValue(p, out var f) && f == "theta").ToList();
    }
}
