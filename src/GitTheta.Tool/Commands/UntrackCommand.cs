using System.CommandLine;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Removes the theta drivers from a path or pattern in .gitattributes, keeping its other attributes.</summary>
internal static class UntrackCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path-or-pattern") { Description = "The path or pattern given to 'git theta track'." };
        var command = new Command("untrack", "Stop tracking a checkpoint (or pattern) with git-theta.");
        command.Arguments.Add(path);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var value = parse.GetValue(path)!;
            var target = TrackCommand.IsPattern(value) ? value : repository.Git.RelativePath(value);
            var changed = GitAttributes.Untrack(root, target);
            Console.WriteLine(changed ? $"Untracked {target}." : $"{target} was not tracked by git-theta.");
            return ExitCode.Success;
        }));
        return command;
    }
}
