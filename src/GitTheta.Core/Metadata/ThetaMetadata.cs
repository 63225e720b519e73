using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>What git stores for a tracked checkpoint: its format, its container object, and one entry per group.</summary>
public sealed record ThetaMetadata(string CheckpointType, ObjectRef Container, IReadOnlyDictionary<string, ParameterEntry> Parameters)
{
    public const string CurrentFormat = "git-theta/1";

    /// <summary>Every object the checkpoint needs: the container and each group's object.</summary>
    public IEnumerable<ObjectRef> Objects =>
        new[] { Container }.Concat(Parameters.Values.Select(p => p.Object));

    public long ParameterCount => Parameters.Values.Sum(p => p.Tensor.ToInfo(string.Empty).ElementCount);
}
