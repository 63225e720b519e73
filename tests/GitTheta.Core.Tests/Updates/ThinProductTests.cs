using GitTheta.Core.Updates;
using MathNet.Numerics.LinearAlgebra;

namespace GitTheta.Core.Tests.Updates;

public sealed class ThinProductTests
{
    // Odd sizes: thin widths that are not a multiple of the vector width, and a stripe count that does not divide n.
    [Theory]
    [InlineData(7, 5, 3)]
    [InlineData(130, 97, 26)]
    [InlineData(64, 200, 8)]
    public void Products_equal_a_plain_loop_bit_for_bit(int m, int n, int l)
    {
        var random = new Random(m * n * l);
        var d = Enumerable.Range(0, m * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var right = Matrix<double>.Build.Dense(n, l, (r, c) => random.NextDouble() - 0.5);
        var left = Matrix<double>.Build.Dense(m, l, (r, c) => random.NextDouble() - 0.5);

        var times = ThinProduct.Times(d, m, n, right);
        var transposeTimes = ThinProduct.TransposeTimes(d, m, n, left);

        for (var i = 0; i < m; i++)
        {
            for (var c = 0; c < l; c++)
            {
                var sum = 0.0;
                for (var j = 0; j < n; j++)
                {
                    sum += right[j, c] * d[(i * n) + j];
                }

                Assert.Equal(sum, times[i, c]);
            }
        }

        for (var j = 0; j < n; j++)
        {
            for (var c = 0; c < l; c++)
            {
                var sum = 0.0;
                for (var i = 0; i < m; i++)
                {
                    sum += left[i, c] * d[(i * n) + j];
                }

                Assert.Equal(sum, transposeTimes[j, c]);
            }
        }
    }

    [Fact]
    public void Products_agree_with_mathnet()
    {
        const int m = 50, n = 40, l = 6;
        var random = new Random(5);
        var d = Enumerable.Range(0, m * n).Select(_ => random.NextDouble()).ToArray();
        var matrix = Matrix<double>.Build.Dense(n, m, d).Transpose(); // D, m × n, from its row-major array
        var right = Matrix<double>.Build.Dense(n, l, (r, c) => random.NextDouble());
        var left = Matrix<double>.Build.Dense(m, l, (r, c) => random.NextDouble());

        Assert.True((ThinProduct.Times(d, m, n, right) - (matrix * right)).FrobeniusNorm() < 1e-12);
        Assert.True((ThinProduct.TransposeTimes(d, m, n, left) - matrix.TransposeThisAndMultiply(left)).FrobeniusNorm() < 1e-12);
    }
}
