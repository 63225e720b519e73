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
        var first = RandomnessPool.Get(16, 16_384).Values.ToArray();
        RandomnessPool.Get(3, 5);
        var again = RandomnessPool.Get(16, 16_384);
        Assert.Equal(16, again.SignatureSize);
        Assert.Equal(16_384, again.Rows);
        Assert.Equal(first, again.Values);
    }

    [Fact]
    public void Values_are_exact_multiples_of_two_to_the_minus_32_within_plus_minus_six()
    {
        foreach (var value in RandomnessPool.Get(16, 16_384).Values)
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
}
