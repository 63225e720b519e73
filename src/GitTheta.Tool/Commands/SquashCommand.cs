using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Updates;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Stages a tracked checkpoint with every update chain replaced by the dense value it builds (chain depth 0).</summary>
internal static class SquashCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "The tracked checkpoints whose staged version to squash.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("squash", "Stage a checkpoint with every incremental update stored as its dense value (chain depth 0); the values do not change.");
        command.Arguments.Add(files);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            var root = RepositoryContext.WorkTree(repository);
            var squasher = new ChainSquasher(repository.Engine);
            foreach (var path in parse.GetValue(files)!)
            {
                var relative = repository.Git.RelativePath(path);
                if (GitAttributes.Get(root, relative, "filter") != "theta")
                {
                    throw new ThetaException(DiagnosticIds.PathNotTracked, $"'{relative}' is not tracked by git-theta; run 'git theta track {relative}' first.");
                }

                var (mode, blob) = StagedBlob(root, relative);
                var metadata = repository.ReadMetadata(blob, relative)
                    ?? throw new ThetaException(DiagnosticIds.PathNotTracked, $"the staged version of '{relative}' is not git-theta metadata; stage it with 'git add {relative}' first.");
                var result = squasher.Squash(metadata, relative);
                if (result.Rewritten == 0)
                {
                    Console.WriteLine($"{relative}: every parameter group is stored dense already; nothing to squash.");
                    continue;
                }

                var written = GitCli.Run(root, new[] { "hash-object", "-w", "--stdin" }, MetadataSerializer.Serialize(result.Metadata));
                written.ThrowIfFailed(new[] { "hash-object", "-w", "--stdin" });
                GitCli.Check(root, "update-index", "--cacheinfo", $"{mode},{written.Text.Trim()},{relative}");
                Console.WriteLine($"{relative}: {result.Rewritten} parameter group(s) stored dense (the deepest update chain was {result.DeepestChain}); commit to finish the squash.");
            }

            return ExitCode.Success;
        }));
        return command;
    }

    /// <summary>The mode and blob id staged for a path; squashing needs a staged, unconflicted version.</summary>
    private static (string Mode, string Blob) StagedBlob(string root, string relative)
    {
        var entries = GitCli.Check(root, "ls-files", "-s", "--", relative).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0)
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{relative}' is not in the index; stage it with 'git add {relative}' first.");
        }

        var fields = entries[0].Split('\t')[0].Split(' ');
        if (entries.Length > 1 || fields[2] != "0")
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{relative}' has merge conflicts; resolve them and 'git add {relative}' first.");
        }

        return (fields[0], fields[1]);
    }
}
