using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using GitTheta.Core.Storage;
using GitTheta.Tool.Infrastructure;
using GitTheta.Tool.Progress;

namespace GitTheta.Tool.Commands;

/// <summary>Checks that every object the tracked checkpoints of some revisions need is present and intact.</summary>
internal static class VerifyCommand
{
    /// <summary>Enough leading bytes of a blob to tell metadata from anything else.</summary>
    private const int PrefixBytes = 4096;

    public static Command Create()
    {
        var revisions = new Argument<string[]>("revision") { Description = "Revisions whose checkpoints to check (default: HEAD).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("verify", "Check that every parameter object of the tracked checkpoints is in the local store and hashes to its id.");
        command.Arguments.Add(revisions);
        var progressOptions = ProgressOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var progress = progressOptions.Resolve(parse);
            using var repository = RepositoryContext.Open();
            var finder = new TrackedMetadataFinder(repository);
            var objects = new Dictionary<string, ObjectRef>(StringComparer.Ordinal);
            var unreadable = new List<(string Path, ThetaException Error)>();
            foreach (var revision in parse.GetValue(revisions) is { Length: > 0 } given ? given : new[] { "HEAD" })
            {
                if (repository.Git.ResolveCommit(revision) is null)
                {
                    throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown revision '{revision}'.");
                }

                foreach (var reference in finder.ObjectsAt(revision))
                {
                    objects.TryAdd(reference.Oid, reference);
                }

                unreadable.AddRange(UnreadableMetadata(repository, revision).Where(u => !unreadable.Any(seen => seen.Path == u.Path)));
            }

            var store = repository.Store;
            var missing = new List<string>();
            var corrupt = new List<string>();
            var wrongSize = new List<(ObjectRef Reference, long Actual)>();
            using var meter = objects.Count > 0 ? ProgressMeter.ForObjects(progress, "Verifying parameter objects", objects.Count, objects.Values.Sum(o => o.Size)) : null;
            foreach (var reference in objects.Values)
            {
                if (!store.Contains(reference.Oid))
                {
                    missing.Add(reference.Oid);
                    meter?.Advance(reference.Size, 1);
                    continue;
                }

                try
                {
                    using var stream = store.OpenRead(reference.Oid, "verify");
                    stream.VerifyToEnd();
                    if (stream.Length != reference.Size)
                    {
                        // The bytes are the object: it is the metadata that names a wrong size.
                        wrongSize.Add((reference, stream.Length));
                    }
                }
                catch (ThetaException e) when (e.Code == DiagnosticIds.CorruptObject)
                {
                    corrupt.Add(reference.Oid);
                }

                meter?.Advance(reference.Size, 1);
            }

            meter?.Finish();
            foreach (var oid in corrupt)
            {
                Console.WriteLine($"corrupt  {oid}  {store.PathOf(oid)}");
            }

            foreach (var (reference, actual) in wrongSize)
            {
                Console.WriteLine($"size     {reference.Oid}  intact, {actual} bytes; the metadata says {reference.Size}");
            }

            foreach (var oid in missing)
            {
                Console.WriteLine($"missing  {oid}");
            }

            var intact = objects.Count - missing.Count - corrupt.Count - wrongSize.Count;
            var sizes = wrongSize.Count > 0 ? $", {wrongSize.Count} named with a wrong size" : string.Empty;
            Console.WriteLine($"{objects.Count} objects checked: {intact} intact, {missing.Count} missing, {corrupt.Count} corrupt{sizes}.");
            foreach (var (path, error) in unreadable)
            {
                Console.WriteLine($"unreadable  {path}  {error.Code}");
            }

            if (unreadable.Count > 0)
            {
                // Objects of metadata that cannot be read cannot be checked: "0 objects checked" must not pass.
                var (_, first) = unreadable[0];
                throw new ThetaException(first.Code, unreadable.Count == 1 ? first.Message : $"{unreadable.Count} files hold metadata git-theta cannot read; first: {first.Message}");
            }

            if (corrupt.Count > 0)
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{corrupt.Count} stored object(s) are corrupt; for each, {store.CorruptRemedy(corrupt[0]).Replace(corrupt[0], "<oid>", StringComparison.Ordinal)}.");
            }

            if (wrongSize.Count > 0)
            {
                var (reference, actual) = wrongSize[0];
                throw LfsObjectStore.SizeMismatch(reference, actual, $"{wrongSize.Count} object(s) (first: {reference.Oid})");
            }

            if (missing.Count > 0)
            {
                throw new ThetaException(DiagnosticIds.MissingObject, $"{missing.Count} object(s) are not in the local store; run 'git theta fetch' to download them.");
            }

            return ExitCode.Success;
        }));
        return command;
    }

    /// <summary>
    /// Files of a revision that hold metadata git-theta cannot read: Python git-theta's, or theta metadata that is
    /// damaged. Their objects would otherwise be left out silently.
    /// </summary>
    private static IEnumerable<(string Path, ThetaException Error)> UnreadableMetadata(ThetaRepository repository, string revision)
    {
        var listing = GitCli.Run(repository.WorkTree ?? repository.GitDirectory, "ls-tree", "-r", "-l", "-z", revision);
        listing.ThrowIfFailed(new[] { "ls-tree", "-r", "-l", revision });
        foreach (var entry in listing.Text.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = entry.IndexOf('\t');
            var fields = entry[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is not [_, "blob", var sha, var sizeText] || !long.TryParse(sizeText, out var size) || size > MetadataSerializer.MaxMetadataBytes)
            {
                continue;
            }

            var path = entry[(tab + 1)..];
            var prefix = Prefix(repository, sha);
            ThetaException? error = null;
            if (ReferenceMetadata.Looks(prefix))
            {
                error = ReferenceMetadata.Error(path);
            }
            else if (MetadataSerializer.LooksLikeMetadata(prefix))
            {
                try
                {
                    repository.Git.ReadMetadataBlob(sha, path);
                }
                catch (ThetaException e)
                {
                    error = e;
                }
            }

            if (error is not null)
            {
                yield return (path, error);
            }
        }
    }

    private static byte[] Prefix(ThetaRepository repository, string sha)
    {
        using var stream = repository.Git.OpenBlob(sha);
        return stream is null ? Array.Empty<byte>() : Core.IO.PrefixedStream.ReadPrefix(stream, PrefixBytes);
    }
}
