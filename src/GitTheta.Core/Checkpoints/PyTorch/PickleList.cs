namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>A Python list or set from a pickle.</summary>
internal sealed class PickleList
{
    public List<object?> Items { get; } = new();
}
