using GitTheta.Core.Hashing;

namespace GitTheta.Core.Tests.Hashing;

/// <summary>
/// A plain, obviously-correct restatement of the E2LSH definition (per-block even/odd float64
/// accumulators in element order, blocks summed in order, floor of total / width), to check the
/// optimised implementation against.
/// </summary>
internal static class ReferenceLsh
{
    public static long[] Hash(ReadOnlySpan<double> values, int k, double bucketWidth, int rows)
    {
        var pool = RandomnessPool.Get(k, rows);
        var totals = new double[k];
        for (var blockStart = 0; blockStart < values.Length; blockStart += EuclideanLsh.BlockElements)
        {
            var even = new double[k];
            var odd = new double[k];
            var blockEnd = Math.Min(values.Length, blockStart + EuclideanLsh.BlockElements);
            for (var i = blockStart; i < blockEnd; i++)
            {
                var accumulator = (i % 2 == 0) ? even : odd;
                for (var j = 0; j < k; j++)
                {
                    accumulator[j] += values[i] * pool[Row(i, rows), j];
                }
            }

            for (var j = 0; j < k; j++)
            {
                totals[j] += even[j] + odd[j];
            }
        }

        return totals.Select(t => Bucket(t / bucketWidth)).ToArray();
    }

    /// <summary>Segments of 4096 consecutive rows, each starting at SplitMix64(segment) mod rows.</summary>
    private static int Row(long index, int rows)
    {
        var z = (ulong)(index / 4096) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(((z % (ulong)rows) + (ulong)(index % 4096)) % (ulong)rows);
    }

    /// <summary>floor, saturating to the long range; NaN has its own bucket, long.MinValue.</summary>
    private static long Bucket(double scaled)
    {
        if (double.IsNaN(scaled))
        {
            return long.MinValue;
        }

        var floor = Math.Floor(scaled);
        return floor >= 9.2233720368547758E18 ? long.MaxValue : floor <= -9.2233720368547758E18 ? long.MinValue + 1 : (long)floor;
    }
}
