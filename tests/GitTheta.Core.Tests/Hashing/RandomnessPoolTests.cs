using GitTheta.Core.Hashing;

namespace GitTheta.Core.Tests.Hashing;

/// <summary>
/// The pool defines the on-disk LSH signature format: these golden values were computed once and
/// must never change, or every stored signature would stop matching.
/// </summary>
public class RandomnessPoolTests
{
    [Theory]
    [InlineData(0, 0, 0xBFEC9CBDBD800000UL)]
    [InlineData(0, 1, 0xBFDDDBB4C4C00000UL)]
    [InlineData(0, 15, 0xBFD3246B81000000UL)]
    [InlineData(1, 0, 0x3FEF8352FC600000UL)]
    [InlineData(7, 3, 0xBFFA99B2A4900000UL)]
    [InlineData(16383, 15, 0xBFF1A2C7E1300000UL)]
    public void Golden_values_of_the_default_pool(int row, int signatureIndex, ulong bits)
    {
        var pool = RandomnessPool.Get(16, 16_384);
        Assert.Equal(BitConverter.UInt64BitsToDouble(bits), pool[row, signatureIndex]);
    }

    [Fact]
    public void Golden_values_in_decimal()
    {
        var pool = RandomnessPool.Get(16, 16_384);
        Assert.Equal(-0.8941334439441562, pool[0, 0]);
        Assert.Equal(0.9847807816695422, pool[1, 0]);
        Assert.Equal(-1.102241401327774, pool[16383, 15]);
    }

    [Fact]
    public void The_pool_is_one_row_major_sequence_whatever_its_dimensions()
    {
        var wide = RandomnessPool.Get(16, 16_384);
        var small = RandomnessPool.Get(4, 8);
        Assert.Equal(4, small.SignatureSize);
        Assert.Equal(8, small.Rows);
        for (var i = 0; i < 32; i++)
        {
            Assert.Equal(wide[i / 16, i % 16], small[i / 4, i % 4]);
        }
    }

    [Fact]
    public void Getting_the_same_dimensions_again_gives_the_same_values()
    {
        var pool = RandomnessPool.Get(16, 16_384);
        pool.EnsureRows(0, pool.Rows);
        var first = pool.Values.ToArray();
        RandomnessPool.Get(3, 5);
        var again = RandomnessPool.Get(16, 16_384);
        again.EnsureRows(0, again.Rows);
        Assert.Equal(16, again.SignatureSize);
        Assert.Equal(16_384, again.Rows);
        Assert.Equal(first, again.Values);
    }

    [Fact]
    public void Values_are_exact_multiples_of_two_to_the_minus_32_within_plus_minus_six()
    {
        var pool = RandomnessPool.Get(16, 16_384);
        pool.EnsureRows(0, pool.Rows);
        foreach (var value in pool.Values)
        {
            Assert.InRange(value, -6.0, 6.0);
            var scaled = value * 4294967296.0;
            Assert.Equal(Math.Floor(scaled), scaled);
        }
    }

    [Fact]
    public void Values_are_approximately_standard_normal()
    {
        var values = RandomnessPool.Get(16, 16_384).Values;
        var mean = values.Average();
        var variance = values.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        Assert.InRange(values.Count(v => Math.Abs(v) > 1.0) / (double)values.Length, 0.30, 0.34);
    }

    [Fact]
    public void Rows_made_on_demand_in_any_order_and_across_the_wrap_are_the_one_sequence()
    {
        // 1,000 rows: not a whole number of generation blocks, so the last block is short and a range can wrap past it.
        const int k = 16;
        const int rows = 1_000;
        var pool = RandomnessPool.Get(k, rows);
        pool.EnsureRows(900, 300);
        pool.EnsureRows(517, 1);
        pool.EnsureRows(0, rows);

        var state = RandomnessPool.Seed;
        for (var index = 0; index < k * rows; index++)
        {
            long sum = 0;
            for (var u = 0; u < 12; u++)
            {
                var z = state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                sum += (uint)((z ^ (z >> 31)) >> 32);
            }

            Assert.Equal((sum * (1.0 / 4294967296.0)) - 6.0, pool.Values[index]);
        }
    }
}
