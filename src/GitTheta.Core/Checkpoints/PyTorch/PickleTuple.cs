namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>A Python tuple from a pickle.</summary>
internal sealed record PickleTuple(IReadOnlyList<object?> Items);
