using System.Globalization;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>What the generated ThetaModels class and the JSON manifest say about one resolved model.</summary>
internal sealed record ModelDescription(
    string Name,
    string Path,
    string Revision,
    string Commit,
    string MetadataOid,
    long ParameterCount,
    long Bytes,
    string Format)
{
    /// <summary>Describes a resolved model; Bytes is the size of the file that ships (0 while it is not materialized yet).</summary>
    public static ModelDescription From(ITaskItem resolved, Func<string, Core.Checkpoints.CheckpointFormatRegistry> formatsFor)
    {
        var source = resolved.GetMetadata(ModelMetadata.SourceFile);
        var bytes = source.Length > 0 && File.Exists(source) ? new FileInfo(source).Length : 0;
        var parameters = long.TryParse(resolved.GetMetadata(ModelMetadata.ParameterCount), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 0;
        var format = resolved.GetMetadata(ModelMetadata.CheckpointFormat);

        // What a git-lfs pointer stands for is known only once it is materialized: describe it from its header then.
        if (resolved.GetMetadata(ModelMetadata.Source) == ModelSource.LfsPointer && bytes > 0 && CheckpointInspector.Inspect(formatsFor(source), source) is { } described)
        {
            parameters = described.ParameterCount;
            format = described.Format;
        }

        return new ModelDescription(
            resolved.GetMetadata(ModelMetadata.MemberName),
            resolved.GetMetadata(ModelMetadata.TargetPath),
            resolved.GetMetadata(ModelMetadata.Revision),
            resolved.GetMetadata(ModelMetadata.Commit),
            resolved.GetMetadata(ModelMetadata.MetadataOid),
            parameters,
            bytes,
            format);
    }
}
