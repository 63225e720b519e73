namespace GitTheta.Core.Repositories;

/// <summary>How a parameter group differs between two versions of a checkpoint.</summary>
public enum ThetaChangeKind
{
    /// <summary>Only the newer version has the group.</summary>
    Added,

    /// <summary>Only the older version has the group.</summary>
    Removed,

    /// <summary>Both have it, with a different value, shape, dtype or update type.</summary>
    Modified,
}
