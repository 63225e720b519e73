using GitTheta.Core.Hashing;

namespace GitTheta.Core.Tests.Hashing;

public class LshSignatureTests
{
    [Fact]
    public void Distance_is_git_thetas_formula_norm_times_width_over_root_k()
    {
        var a = new LshSignature(new long[] { 0, 0, 0, 0 });
        var b = new LshSignature(new long[] { 1, -2, 3, 4 });
        // ||a - b|| = sqrt(1 + 4 + 9 + 16) = sqrt(30); k = 4.
        Assert.Equal(Math.Sqrt(30) * 0.5 / 2, a.DistanceTo(b, 0.5));
        Assert.Equal(Math.Sqrt(30) * 1e-8 / 2, b.DistanceTo(a, 1e-8));
    }

    [Fact]
    public void Distance_of_sixteen_unit_differences_is_the_bucket_width()
    {
        var a = new LshSignature(new long[16]);
        var b = new LshSignature(Enumerable.Repeat(1L, 16).ToArray());
        Assert.Equal(1e-8, a.DistanceTo(b, 1e-8));
    }

    [Fact]
    public void Distance_is_symmetric_and_zero_to_itself()
    {
        var a = new LshSignature(new long[] { 5, -7, 11 });
        var b = new LshSignature(new long[] { -3, 2, 100 });
        Assert.Equal(a.DistanceTo(b, 2), b.DistanceTo(a, 2));
        Assert.Equal(0, a.DistanceTo(a, 2));
    }

    [Fact]
    public void Extreme_buckets_do_not_overflow()
    {
        var a = new LshSignature(new[] { long.MaxValue });
        var b = new LshSignature(new[] { long.MinValue });
        var distance = a.DistanceTo(b, 1);
        Assert.True(double.IsFinite(distance));
        Assert.Equal(Math.Pow(2, 64), distance, 1e3);
    }

    [Fact]
    public void Signatures_of_different_sizes_are_infinitely_far_apart()
    {
        Assert.Equal(double.PositiveInfinity, new LshSignature(new long[3]).DistanceTo(new LshSignature(new long[4]), 1));
    }

    [Fact]
    public void Equality_is_by_value()
    {
        var a = new LshSignature(new long[] { 1, 2, 3 });
        var same = new LshSignature(new long[] { 1, 2, 3 });
        Assert.Equal(a, same);
        Assert.True(a.Equals((object)same));
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(a, new LshSignature(new long[] { 1, 2, 4 }));
        Assert.NotEqual(a, new LshSignature(new long[] { 1, 2 }));
        Assert.False(a.Equals(null));
        Assert.Equal("[1, 2, 3]", a.ToString());
    }
}
