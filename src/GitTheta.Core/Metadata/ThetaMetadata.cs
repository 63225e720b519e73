using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>What git stores for a tracked checkpoint: its format, its container object, and one entry per group.</summary>
internal sealed record ThetaMetadata(string CheckpointType, ObjectRef Container, IReadOnlyDictionary<string, ParameterEntry> Parameters)
{
    /// <summary>The format of metadata whose objects are all in the store, as every version of git-theta wrote it.</summary>
    public const string CurrentFormat = "git-theta/1";

    /// <summary>The format of metadata that carries some objects inline: readers of only <see cref="CurrentFormat"/> refuse it with a clear error instead of looking for those objects in the store.</summary>
    public const string InlineFormat = "git-theta/2";

    /// <summary>The format this metadata is written in.</summary>
    public string Format => HasInlineObjects ? InlineFormat : CurrentFormat;

    /// <summary>
    /// Every object the checkpoint needs from the object store: the container, each group's object and the objects of
    /// its update chain, except those the metadata carries inline (no store, fetch or push is involved for those).
    /// </summary>
    public IEnumerable<ObjectRef> Objects => AllObjects.Where(o => !o.IsInline);

    /// <summary>True when some object travels inline, which readers before format <see cref="InlineFormat"/> would look for in the store.</summary>
    public bool HasInlineObjects => AllObjects.Any(o => o.IsInline);

    /// <summary>Every object the checkpoint needs, wherever it is kept: the container, then each group's objects.</summary>
    private IEnumerable<ObjectRef> AllObjects => new[] { Container }.Concat(Parameters.Values.SelectMany(p => p.AllObjects));

    public long ParameterCount => Parameters.Values.Sum(p => p.Tensor.ToInfo(string.Empty).ElementCount);
}
