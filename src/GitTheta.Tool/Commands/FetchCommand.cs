using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;
using GitTheta.Tool.Progress;

namespace GitTheta.Tool.Commands;

/// <summary>Downloads the objects that the tracked checkpoints of some revisions need, so checkouts work offline.</summary>
internal static class FetchCommand
{
    public static Command Create()
    {
        var revisions = new Argument<string[]>("revision") { Description = "Revisions whose checkpoints to fetch (default: HEAD).", Arity = ArgumentArity.ZeroOrMore };
        var include = new Option<string[]>("--include", "-I") { Description = "Fetch only the checkpoints matching these paths or patterns (comma-separated or repeated); replaces lfs.fetchinclude.", AllowMultipleArgumentsPerToken = false };
        var exclude = new Option<string[]>("--exclude", "-X") { Description = "Do not fetch the checkpoints matching these paths or patterns; replaces lfs.fetchexclude." };
        var command = new Command("fetch", "Download the parameter objects of the tracked checkpoints at the given revisions through git-lfs.");
        command.Arguments.Add(revisions);
        command.Options.Add(include);
        command.Options.Add(exclude);
        var progressOptions = ProgressOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var progress = progressOptions.Resolve(parse);
            using var repository = RepositoryContext.Open();
            WorkProgressReporter.AttachToFetcher(repository, progress, () => "parameter objects", threshold: 0);
            var root = RepositoryContext.WorkTree(repository);
            var finder = new TrackedMetadataFinder(repository);
            var wanted = new Dictionary<string, Core.Storage.ObjectRef>(StringComparer.Ordinal);
            var revs = parse.GetValue(revisions) is { Length: > 0 } given ? given : new[] { "HEAD" };

            // As git lfs fetch: -I/-X replace the configured lfs.fetchinclude/lfs.fetchexclude, which apply otherwise.
            var included = parse.GetValue(include) ?? Array.Empty<string>();
            var excluded = parse.GetValue(exclude) ?? Array.Empty<string>();
            var filter = included.Length > 0 || excluded.Length > 0 ? LfsFetchFilter.From(included, excluded) : LfsFetchFilter.Load(repository.Git.GetConfig);
            foreach (var revision in revs)
            {
                if (repository.Git.ResolveCommit(revision) is null)
                {
                    throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown revision '{revision}'.");
                }

                foreach (var (path, metadata) in finder.MetadataAt(revision))
                {
                    if (!filter.Allows(path))
                    {
                        continue;
                    }

                    foreach (var reference in metadata.Objects)
                    {
                        wanted.TryAdd(reference.Oid, reference);
                    }
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

            // As git lfs pull: the work tree is HEAD's, and a file a partial clone left as metadata is up to date for
            // git, so 'git checkout -- <path>' alone would not rebuild it.
            if (revs.Contains("HEAD", StringComparer.Ordinal) && WorkingFileRestorer.RestoreMetadataOnlyFiles(root, filter.Allows) is var restored and > 0)
            {
                Console.WriteLine($"Rebuilt {restored} checkpoint(s) that were checked out as git-theta metadata.");
            }

            return ExitCode.Success;
        }));
        return command;
    }
}
