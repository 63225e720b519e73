using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Downloads the objects that the tracked checkpoints of some revisions need, so checkouts work offline.</summary>
internal static class FetchCommand
{
    public static Command Create()
    {
        var revisions = new Argument<string[]>("revision") { Description = "Revisions whose checkpoints to fetch (default: HEAD).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("fetch", "Download the parameter objects of the tracked checkpoints at the given revisions through git-lfs.");
        command.Arguments.Add(revisions);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var finder = new TrackedMetadataFinder(repository);
            var wanted = new Dictionary<string, Core.Storage.ObjectRef>(StringComparer.Ordinal);
            var revs = parse.GetValue(revisions) is { Length: > 0 } given ? given : new[] { "HEAD" };
            foreach (var revision in revs)
            {
                if (repository.Git.ResolveCommit(revision) is null)
                {
                    throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown revision '{revision}'.");
                }

                foreach (var reference in finder.ObjectsAt(revision))
                {
                    wanted.TryAdd(reference.Oid, reference);
                }
            }

            var missing = wanted.Values.Where(o => !repository.Store.Contains(o)).ToList();
            if (missing.Count > 0)
            {
                var fetcher = repository.Fetcher ?? throw new ThetaException(
                    DiagnosticIds.MissingObject,
                    $"{missing.Count} object(s) are not in the local store (first: {missing[0].Oid}) and the repository has no remote or lfs.url to fetch them from; add one ('git remote add origin <url>') and run 'git theta fetch' again.");
                fetcher.Fetch(missing);
            }

            var still = missing.Where(o => !repository.Store.Contains(o)).ToList();
            Console.WriteLine($"{wanted.Count} objects needed, {missing.Count - still.Count} fetched, {wanted.Count - missing.Count} already present.");
            if (still.Count > 0)
            {
                throw new ThetaException(DiagnosticIds.MissingObject, $"{still.Count} object(s) could not be fetched (first: {still[0].Oid}); check the remote and 'git lfs env'.");
            }

            return ExitCode.Success;
        }));
        return command;
    }
}
