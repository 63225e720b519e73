using GitTheta.Core.Tensors;

namespace GitTheta.Core.Hashing;

/// <summary>numpy's allclose, elementwise |a − b| ≤ atol + rtol·|b| in float64; NaNs equal each other.</summary>
public static class AllClose
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

        const int chunk = 4096;
        var size = DTypes.SizeOf(dtype);
        var elements = a.Length / size;
        var x = new double[chunk];
        var y = new double[chunk];
        for (var start = 0; start < elements; start += chunk)
        {
            var n = Math.Min(chunk, elements - start);
            ElementConverter.ToDouble(dtype, a.Slice(start * size, n * size), x.AsSpan(0, n));
            ElementConverter.ToDouble(dtype, b.Slice(start * size, n * size), y.AsSpan(0, n));
            for (var i = 0; i < n; i++)
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
        }

        return true;
    }
}
