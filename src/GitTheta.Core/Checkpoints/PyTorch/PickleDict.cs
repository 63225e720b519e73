namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// A Python dict or OrderedDict from a pickle, as its items in insertion order (the order a state
/// dict lists its tensors). Keys are not hashed: the items are only walked, never looked up.
/// </summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object?, object?>> Items { get; } = new();

    /// <summary>What BUILD set on the object (an OrderedDict's <c>_metadata</c>), kept only so it is not lost to a walk.</summary>
    public object? State { get; set; }
}
