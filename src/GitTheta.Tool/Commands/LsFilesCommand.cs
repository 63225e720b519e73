using System.CommandLine;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Lists the files in the index that git-theta tracks.</summary>
internal static class LsFilesCommand
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

    public static IReadOnlyList<string> TrackedFiles(string root) =>
        TrackedCheckpoints.InIndex(root, Array.Empty<string>()).Select(e => e.Path).ToList();
}
