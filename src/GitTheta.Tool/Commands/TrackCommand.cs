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
        var fromLfs = new Option<bool>("--from-lfs") { Description = "Switch a path or pattern bound to git-lfs (filter=lfs diff=lfs merge=lfs) to git-theta, keeping its other attributes; then run 'git add --renormalize <pattern>'." };
        var command = new Command("track", "Track a checkpoint (or pattern) with git-theta: writes filter=theta diff=theta merge=theta to .gitattributes.");
        command.Arguments.Add(path);
        command.Options.Add(format);
        command.Options.Add(fromLfs);
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
            var switching = parse.GetValue(fromLfs);
            var changed = GitAttributes.Track(root, target, formatName, switching);
            Console.WriteLine(changed ? $"Tracking {target} with git-theta." : $"{target} is already tracked by git-theta.");
            if (changed && switching)
            {
                // Files already committed stay git-lfs pointers until git cleans them again; history before stays readable as it is.
                Console.WriteLine($"Run 'git add --renormalize {target}' and commit to store the current files as git-theta metadata; older revisions stay readable by git-theta ('git theta migrate --include={target}' rewrites them).");
            }

            return ExitCode.Success;
        }));
        return command;
    }

    internal static bool IsPattern(string value) => value.IndexOfAny(new[] { '*', '?', '[' }) >= 0;
}
