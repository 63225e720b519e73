using System.CommandLine;
using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;
using GitTheta.Tool.Progress;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The pre-push hook's work: find the metadata blobs in the commits being pushed and upload the
/// objects they reference with git-lfs, before git sends the commits.
/// </summary>
internal static class PrePushCommand
{
    public static Command Create()
    {
        var remote = new Argument<string>("remote") { Description = "The remote's name (or URL), as git passes it." };
        var url = new Argument<string?>("url") { Description = "The remote's URL.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("pre-push", "Pre-push hook (called by git): upload the parameter objects of the pushed commits through git-lfs.");
        command.Arguments.Add(remote);
        command.Arguments.Add(url);
        var progressOptions = ProgressOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var progress = progressOptions.Resolve(parse);
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var remoteName = parse.GetValue(remote)!;
            var finder = new TrackedMetadataFinder(repository);
            var objects = new Dictionary<string, Core.Storage.ObjectRef>(StringComparer.Ordinal);
            string? line;
            while ((line = Console.In.ReadLine()) is not null)
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[1].Trim('0').Length == 0)
                {
                    continue;
                }

                var range = new List<string> { fields[1], "--not" };
                IReadOnlyList<string> known;
                if (fields[3].Trim('0').Length > 0 && repository.Git.ResolveCommit(fields[3]) is not null)
                {
                    range.Add(fields[3]);
                    known = new[] { fields[3] };
                }
                else
                {
                    range.Add($"--remotes={remoteName}");
                    known = repository.Git.RemoteTrackingTips(remoteName);
                }

                foreach (var reference in finder.ObjectsNewIn(range, known))
                {
                    objects.TryAdd(reference.Oid, reference);
                }
            }

            if (objects.Count > 0)
            {
                var pushed = LfsPusher.Push(root, remoteName, objects.Values.ToList(), repository.Store, CommandRunner.Log, progress.ToTerminal ? Console.Error : null);
                Console.Error.WriteLine($"git-theta: uploaded {pushed} new parameter object(s) to {remoteName} (git-lfs skips any the remote already has).");
            }

            return ExitCode.Success;
        }));
        return command;
    }
}
