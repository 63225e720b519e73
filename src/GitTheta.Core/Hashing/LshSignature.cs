namespace GitTheta.Core.Hashing;

/// <summary>An E2LSH signature: <c>floor(x · r_j / w)</c> for each of the k hyperplanes.</summary>
internal sealed class LshSignature : IEquatable<LshSignature>
{
    public LshSignature(long[] values)
    {
        Values = values;
    }

    public IReadOnlyList<long> Values { get; }

    /// <summary>
    /// True when a projection was NaN or infinite (a tensor holding NaN or ±inf): such a signature says
    /// nothing about distance, so changes must be decided by exact comparison instead.
    /// </summary>
    public bool IsDegenerate => Values.Any(v => v is long.MinValue or long.MaxValue or long.MinValue + 1);

    /// <summary>git-theta's estimate of the Euclidean distance between the hashed vectors.</summary>
    public double DistanceTo(LshSignature other, double bucketWidth)
    {
        if (other.Values.Count != Values.Count)
        {
            return double.PositiveInfinity;
        }

        double sum = 0;
        for (var j = 0; j < Values.Count; j++)
        {
            var d = (double)Values[j] - other.Values[j];
            sum += d * d;
        }

        return Math.Sqrt(sum) * bucketWidth / Math.Sqrt(Values.Count);
    }

    public bool Equals(LshSignature? other) => other is not null && Values.SequenceEqual(other.Values);

    public override bool Equals(object? obj) => Equals(obj as LshSignature);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var v in Values)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", Values) + "]";
}
