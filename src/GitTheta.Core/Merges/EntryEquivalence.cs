using GitTheta.Core.Metadata;

namespace GitTheta.Core.Merges;

/// <summary>
/// Whether two versions of a group hold the same value, from metadata alone: the same dtype and shape, and either
/// the same stored object and update, or LSH signatures closer than atol (the clean's own test for "unchanged", so
/// two branches that reached the same weights on different machines agree). A signature of a group holding NaN or
/// infinity says nothing about distance; such groups are equal only by object.
/// </summary>
internal sealed class EntryEquivalence
{
    private readonly double atol;
    private readonly double bucketWidth;

    public EntryEquivalence(double atol, double bucketWidth)
    {
        this.atol = atol;
        this.bucketWidth = bucketWidth;
    }

    /// <summary>Two absent entries are equivalent (both sides lack the group); one absent entry is not.</summary>
    public bool Equivalent(ParameterEntry? a, ParameterEntry? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Tensor.DType != b.Tensor.DType || !a.Tensor.Shape.SequenceEqual(b.Tensor.Shape))
        {
            return false;
        }

        if (a.Object.Oid == b.Object.Oid && a.Update.Equals(b.Update))
        {
            return true;
        }

        return !a.Tensor.Lsh.IsDegenerate && !b.Tensor.Lsh.IsDegenerate && a.Tensor.Lsh.DistanceTo(b.Tensor.Lsh, bucketWidth) < atol;
    }
}
