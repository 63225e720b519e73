namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>A Python tuple from a pickle.</summary>
public sealed record PickleTuple(IReadOnlyList<object?> Items);
