using System.Numerics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>Adds the product of two factors to a matrix held in a group's dtype.</summary>
internal static class FactorProduct
{
    /// <summary>
    /// value += R·C, one row at a time in float64, then written back in the group's dtype.
    /// </summary>
    public static void AddTo(DType dtype, double[] r, double[] c, int rows, int rank, int columns, Span<byte> value)
    {
        var size = DTypes.SizeOf(dtype);
        var sum = new double[columns];
        var row = new double[columns];
        for (var i = 0; i < rows; i++)
        {
            Row(r, c, i, rank, columns, sum);
            var bytes = value.Slice(i * columns * size, columns * size);
            ElementConverter.ToDouble(dtype, bytes, row);
            for (var x = 0; x < columns; x++)
            {
                row[x] += sum[x];
            }

            ElementNarrower.FromDouble(dtype, row, bytes);
        }
    }

    /// <summary>
    /// Row <paramref name="i"/> of R·C. Each element sums its k products in order (no fused multiply-add, vector lanes
    /// across columns only), so the result is the same on every machine and SIMD width.
    /// </summary>
    public static void Row(double[] r, double[] c, int i, int rank, int columns, double[] sum)
    {
        var width = Vector<double>.Count;
        Array.Clear(sum, 0, columns);
        for (var j = 0; j < rank; j++)
        {
            var factor = r[(i * rank) + j];
            var scaled = new Vector<double>(factor);
            var offset = j * columns;
            var x = 0;
            for (; x <= columns - width; x += width)
            {
                var product = scaled * new Vector<double>(c, offset + x);
                (new Vector<double>(sum, x) + product).CopyTo(sum, x);
            }

            for (; x < columns; x++)
            {
                var product = factor * c[offset + x];
                sum[x] += product;
            }
        }
    }
}
