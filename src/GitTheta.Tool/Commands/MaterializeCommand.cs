using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>Writes a tracked checkpoint as of a revision to any file, without touching the work tree or needing the filter.</summary>
internal static class MaterializeCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The checkpoint's path (relative to the current directory), as the revision names it." };
        var revision = new Option<string>("--rev") { Description = "The revision (tag, branch, commit) to take the checkpoint from.", DefaultValueFactory = _ => "HEAD" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the checkpoint (replaced atomically).", Required = true };
        var parameters = new Option<string[]>("--params") { Description = "Write only the parameter groups whose names match these globs (comma-separated or repeated), as a safetensors file; only their objects are fetched." };
        var command = new Command("materialize", "Write a checkpoint as of a revision to a file (objects come from the local store, else through git-lfs).");
        command.Arguments.Add(file);
        command.Options.Add(revision);
        command.Options.Add(output);
        command.Options.Add(parameters);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var repository = RepositoryContext.Open();
            RepositoryContext.WorkTree(repository);
            var relative = repository.Git.RelativePath(parse.GetValue(file)!);
            var rev = parse.GetValue(revision)!;
            var destination = Path.GetFullPath(parse.GetValue(output)!);
            if (parse.GetValue(parameters) is { Length: > 0 } globs)
            {
                var written = GroupSubsetWriter.Write(repository.OpenCheckpoint(relative, rev), globs, destination);
                Console.WriteLine($"Wrote {written} parameter group(s) of {relative} as of {rev} to {destination}.");
                return ExitCode.Success;
            }

            var materializer = repository.Materializer;
            var commit = materializer.ResolveCommit(rev)
                ?? throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown revision '{rev}'; give a tag, branch or commit of this repository (git fetch --tags if it is on the remote).");
            var blob = materializer.Find(commit, relative)
                ?? throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{relative}' does not exist in {rev} ({commit[..12]}).");
            var metadata = materializer.Materialize(blob, relative, destination);
            Console.WriteLine(metadata is null
                ? $"Wrote {relative} as of {rev} ({commit[..12]}) to {destination}; it is not a git-theta checkpoint there, so it was copied as git stores it."
                : $"Wrote {relative} as of {rev} ({commit[..12]}, {metadata.Parameters.Count} parameter groups, {metadata.ParameterCount} parameters) to {destination}.");
            return ExitCode.Success;
        }));
        return command;
    }
}
