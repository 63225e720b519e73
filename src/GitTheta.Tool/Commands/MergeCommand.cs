using System.CommandLine;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The merge driver (git passes %O %A %B %P): merges checkpoint metadata per parameter group and
/// writes the result to %A. Conflicting groups are resolved by GIT_THETA_MERGE_STRATEGY or
/// theta.merge.strategy (ours, theirs, base); without one the merge fails at once, naming them.
/// </summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var ancestor = new Argument<string>("ancestor") { Description = "%O: the common ancestor's version." };
        var ours = new Argument<string>("ours") { Description = "%A: our version; the result is written here." };
        var theirs = new Argument<string>("theirs") { Description = "%B: their version." };
        var path = new Argument<string>("path") { Description = "%P: the path being merged." };
        var command = new Command("merge", "Merge driver (called by git): three-way merge of a checkpoint, per parameter group.");
        command.Arguments.Add(ancestor);
        command.Arguments.Add(ours);
        command.Arguments.Add(theirs);
        command.Arguments.Add(path);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var name = parse.GetValue(path)!;
            var oursFile = parse.GetValue(ours)!;
            var baseMetadata = Read(parse.GetValue(ancestor)!, name, optional: true);
            var oursMetadata = Read(oursFile, name, optional: false)!;
            var theirsMetadata = Read(parse.GetValue(theirs)!, name, optional: false)!;
            var strategyName = Environment.GetEnvironmentVariable("GIT_THETA_MERGE_STRATEGY");
            if (string.IsNullOrEmpty(strategyName))
            {
                using var repository = RepositoryContext.Open();
                strategyName = repository.GetConfig("theta.merge.strategy");
            }

            MergeSide? side = strategyName switch
            {
                null or "" => null,
                "ours" => MergeSide.Ours,
                "theirs" => MergeSide.Theirs,
                "base" => MergeSide.Base,
                _ => throw new ThetaException(DiagnosticIds.InvalidArguments, $"merge strategy '{strategyName}' is not available; use ours, theirs or base."),
            };
            var outcome = MetadataMerger.Merge(baseMetadata, oursMetadata, theirsMetadata, _ => side);
            if (outcome.Conflicts.Count > 0)
            {
                throw new ThetaException(
                    DiagnosticIds.MergeConflict,
                    $"{name}: {outcome.Conflicts.Count} parameter group(s) changed on both sides: {string.Join(", ", outcome.Conflicts.Take(20))}{(outcome.Conflicts.Count > 20 ? ", ..." : string.Empty)}. Set GIT_THETA_MERGE_STRATEGY=ours|theirs|base and run the merge again, or resolve with 'git checkout --ours/--theirs -- {name}'.");
            }

            var layout = SameLayout(outcome.Parameters, oursMetadata) ? oursMetadata
                : SameLayout(outcome.Parameters, theirsMetadata) ? theirsMetadata
                : baseMetadata is not null && SameLayout(outcome.Parameters, baseMetadata) ? baseMetadata
                : throw new ThetaException(DiagnosticIds.MergeConflict, $"{name}: the merged groups match neither side's layout (groups were added or removed on both sides); resolve with 'git checkout --ours/--theirs -- {name}'.");
            var merged = new ThetaMetadata(layout.CheckpointType, layout.Container, outcome.Parameters);
            File.WriteAllBytes(oursFile, MetadataSerializer.Serialize(merged));
            return ExitCode.Success;
        }));
        return command;
    }

    private static bool SameLayout(IReadOnlyDictionary<string, ParameterEntry> merged, ThetaMetadata side) =>
        merged.Count == side.Parameters.Count && merged.All(p => side.Parameters.TryGetValue(p.Key, out var e)
            && e.Tensor.DType == p.Value.Tensor.DType && e.Tensor.Shape.SequenceEqual(p.Value.Tensor.Shape));

    private static ThetaMetadata? Read(string file, string path, bool optional)
    {
        var bytes = File.Exists(file) ? File.ReadAllBytes(file) : Array.Empty<byte>();
        if (bytes.Length == 0 && optional)
        {
            return null;
        }

        return MetadataSerializer.TryParse(bytes, path)
            ?? throw new ThetaException(DiagnosticIds.MalformedMetadata, $"{path}: one side of the merge is not git-theta metadata; resolve with 'git checkout --ours/--theirs -- {path}'.");
    }
}
