namespace GitTheta.Core.Merges;

/// <summary>
/// The full value of a conflicting group on each version, as float64, materialized only when a strategy asks. For
/// strategies that need a whole value at once; element-wise ones return <see cref="GroupResolution.Elementwise"/>
/// instead, which the engine runs chunk by chunk.
/// </summary>
internal interface IGroupValues
{
    /// <summary>The value on <paramref name="side"/>, which must have the group; read once, then cached.</summary>
    double[] Get(MergeSide side);
}
