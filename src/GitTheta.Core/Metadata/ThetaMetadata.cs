using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>What git stores for a tracked checkpoint: its format, its container object, and one entry per group.</summary>
internal sealed record ThetaMetadata(string CheckpointType, ObjectRef Container, IReadOnlyDictionary<string, ParameterEntry> Parameters)
{
    public const string CurrentFormat = "git-theta/1";

    /// <summary>Every object the checkpoint needs: the container, each group's object and the objects of its update chain.</summary>
    public IEnumerable<ObjectRef> Objects =>
        new[] { Container }.Concat(Parameters.Values.SelectMany(p => p.Objects));

    public long ParameterCount => Parameters.Values.Sum(p => p.Tensor.ToInfo(string.Empty).ElementCount);
}
