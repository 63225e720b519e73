using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;
using GitTheta.Core.Storage;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Checks that every object the tracked checkpoints of some revisions need is present and intact.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var revisions = new Argument<string[]>("revision") { Description = "Revisions whose checkpoints to check (default: HEAD).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("verify", "Check that every parameter object of the tracked checkpoints is in the local store and hashes to its id.");
        command.Arguments.Add(revisions);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var finder = new TrackedMetadataFinder(repository);
            var objects = new Dictionary<string, ObjectRef>(StringComparer.Ordinal);
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
            }

            var store = repository.Store;
            var missing = new List<string>();
            var corrupt = new List<string>();
            var wrongSize = new List<(ObjectRef Reference, long Actual)>();
            foreach (var reference in objects.Values)
            {
                if (!store.Contains(reference.Oid))
                {
                    missing.Add(reference.Oid);
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
            }

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
}
