using GitTheta.Core.Tensors;

namespace GitTheta.Core.Hashing;

/// <summary>numpy's allclose, elementwise |a − b| ≤ atol + rtol·|b| in float64; NaNs equal each other.</summary>
internal static class AllClose
{
    public static bool Check(DType dtype, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, double atol, double rtol)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        if (a.SequenceEqual(b))
        {
            return true;
        }

        return WidenedChunks.Walk(dtype, a, b, (x, y) => Close(x, y, atol, rtol));
    }

    private static bool Close(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double atol, double rtol)
    {
        for (var i = 0; i < x.Length; i++)
        {
            var u = x[i];
            var v = y[i];
            if (double.IsNaN(u) || double.IsNaN(v))
            {
                if (double.IsNaN(u) && double.IsNaN(v))
                {
                    continue;
                }

                return false;
            }

            if (u == v)
            {
                continue;
            }

            if (double.IsInfinity(u) || double.IsInfinity(v))
            {
                // As numpy: an infinity is close only to the same infinity (inf <= rtol * inf would say otherwise).
                return false;
            }

            if (!(Math.Abs(u - v) <= atol + (rtol * Math.Abs(v))))
            {
                return false;
            }
        }

        return true;
    }
}
