using System.CommandLine;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Binds a path or pattern to the theta drivers in .gitattributes.</summary>
internal static class TrackCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path-or-pattern") { Description = "A checkpoint path (relative to the current directory) or a gitattributes pattern such as *.safetensors." };
        var format = new Option<string?>("--format") { Description = "The checkpoint format (theta-format attribute); sniffed from the bytes when not given." };
        var command = new Command("track", "Track a checkpoint (or pattern) with git-theta: writes filter=theta diff=theta merge=theta to .gitattributes.");
        command.Arguments.Add(path);
        command.Options.Add(format);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var value = parse.GetValue(path)!;
            var formatName = parse.GetValue(format);
            if (formatName is not null)
            {
                formatName = CheckpointFormatRegistry.Default.Get(formatName, value).Name;
            }

            var target = IsPattern(value) ? value : repository.Git.RelativePath(value);
            var changed = GitAttributes.Track(root, target, formatName);
            Console.WriteLine(changed ? $"Tracking {target} with git-theta." : $"{target} is already tracked by git-theta.");
            return ExitCode.Success;
        }));
        return command;
    }

    internal static bool IsPattern(string value) => value.IndexOfAny(new[] { '*', '?', '[' }) >= 0;
}
