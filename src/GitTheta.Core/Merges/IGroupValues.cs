namespace GitTheta.Core.Merges;

/// <summary>The full value of a conflicting group on each version, as float64, materialized only when a strategy asks.</summary>
public interface IGroupValues
{
    /// <summary>The value on <paramref name="side"/>, which must have the group; read once, then cached.</summary>
    double[] Get(MergeSide side);
}
