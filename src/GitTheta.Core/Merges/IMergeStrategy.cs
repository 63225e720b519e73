using GitTheta.Core.Tensors;

namespace GitTheta.Core.Merges;

/// <summary>
/// Resolves one conflicting parameter group of a three-way merge. Values arrive as float64 views of the
/// group (null where the group does not exist on that side); the result is written back in the group's dtype.
/// </summary>
public interface IMergeStrategy
{
    string Name { get; }

    string Description { get; }

    /// <summary>Whether the strategy can resolve a group that exists on the given sides.</summary>
    bool AppliesTo(bool hasOurs, bool hasTheirs, bool hasBase);

    /// <summary>The merged value, or null to delete the group.</summary>
    double[]? Merge(TensorInfo info, double[]? ours, double[]? theirs, double[]? ancestor);
}
