using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>One parameter group in theta metadata.</summary>
internal sealed record ParameterEntry(TensorDescription Tensor, ObjectRef Object, UpdateDescription Update)
{
    /// <summary>Every object rebuilding the value needs from the store: the entry's own object, then those of its update chain; not those the metadata carries inline.</summary>
    public IEnumerable<ObjectRef> Objects => AllObjects.Where(o => !o.IsInline);

    /// <summary>Every object rebuilding the value needs, wherever it is kept: the entry's own object, then those of its update chain.</summary>
    public IEnumerable<ObjectRef> AllObjects =>
        Update.Chain is { Count: > 0 } chain ? new[] { Object }.Concat(chain.Select(l => l.Object)) : new[] { Object };
}
