namespace GitTheta.Core.Repositories;

/// <summary>One parameter group that differs between two versions of a checkpoint.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="Kind">Added, removed or modified.</param>
/// <param name="Before">The group in the older version; null when it was added.</param>
/// <param name="After">The group in the newer version; null when it was removed.</param>
public sealed record ThetaGroupChange(string Name, ThetaChangeKind Kind, ThetaGroup? Before, ThetaGroup? After);
