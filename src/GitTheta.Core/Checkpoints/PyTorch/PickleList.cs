namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>A Python list or set from a pickle.</summary>
public sealed class PickleList
{
    public List<object?> Items { get; } = new();
}
