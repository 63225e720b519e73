using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// Low-rank factors in numpy's batched-matmul shapes: R [..., n, k] and C [..., k, m], whose leading (batch)
/// dimensions broadcast as numpy's do (aligned from the last, each 1 or equal), give R @ C of shape
/// broadcast(batch) + [n, m]. Python git-theta applies side-loaded factors with numpy's matmul, so an N-D group
/// (a conv kernel) can be updated by factors that are themselves N-D.
/// </summary>
internal static class BatchedFactors
{
    /// <summary>The shape of R @ C, or null when numpy's matmul would refuse these shapes (both must be at least 2-D).</summary>
    public static long[]? ProductShape(IReadOnlyList<long> r, IReadOnlyList<long> c)
    {
        if (r.Count < 2 || c.Count < 2 || r[^1] != c[^2])
        {
            return null;
        }

        var batch = Math.Max(r.Count, c.Count) - 2;
        var shape = new long[batch + 2];
        for (var d = 0; d < batch; d++)
        {
            var fromR = Dimension(r, batch, d);
            var fromC = Dimension(c, batch, d);
            if (fromR != fromC && fromR != 1 && fromC != 1)
            {
                return null;
            }

            shape[d] = Math.Max(fromR, fromC);
        }

        shape[batch] = r[^2];
        shape[batch + 1] = c[^1];
        return shape;
    }

    /// <summary>True when R @ C has exactly the group's shape.</summary>
    public static bool Fit(IReadOnlyList<long> r, IReadOnlyList<long> c, IReadOnlyList<long> group) =>
        ProductShape(r, c) is { } product && product.SequenceEqual(group);

    /// <summary>value += R @ C, matrix by matrix over the broadcast batch, each product as <see cref="FactorProduct.AddTo"/> does.</summary>
    public static void AddTo(DType dtype, UpdateTensor r, UpdateTensor c, IReadOnlyList<long> group, Span<byte> value)
    {
        var rShape = r.Info.Shape;
        var cShape = c.Info.Shape;
        var batch = group.Count - 2;
        int n = (int)rShape[^2], k = (int)rShape[^1], m = (int)cShape[^1];
        var rValues = r.ToDoubles();
        var cValues = c.ToDoubles();
        var matrices = 1L;
        for (var d = 0; d < batch; d++)
        {
            matrices *= group[d];
        }

        var size = DTypes.SizeOf(dtype);
        var index = new long[batch];
        var rSlice = new double[n * k];
        var cSlice = new double[k * m];
        for (long b = 0; b < matrices; b++)
        {
            // The batch position, last dimension fastest, and where it falls in each (broadcast) factor.
            var rest = b;
            for (var d = batch - 1; d >= 0; d--)
            {
                index[d] = rest % group[d];
                rest /= group[d];
            }

            Array.Copy(rValues, Offset(rShape, batch, index) * n * k, rSlice, 0, rSlice.Length);
            Array.Copy(cValues, Offset(cShape, batch, index) * k * m, cSlice, 0, cSlice.Length);
            FactorProduct.AddTo(dtype, rSlice, cSlice, n, k, m, value.Slice((int)(b * n * m * size), n * m * size));
        }
    }

    /// <summary>Dimension <paramref name="d"/> of the output batch as the factor sees it (1 where it has fewer dimensions).</summary>
    private static long Dimension(IReadOnlyList<long> shape, int batch, int d)
    {
        var own = d - (batch - (shape.Count - 2));
        return own < 0 ? 1 : shape[own];
    }

    /// <summary>The factor's matrix number for an output batch position, broadcasting its size-1 and missing dimensions.</summary>
    private static long Offset(IReadOnlyList<long> shape, int batch, long[] index)
    {
        long offset = 0;
        for (var d = 0; d < batch; d++)
        {
            var size = Dimension(shape, batch, d);
            offset = (offset * size) + (size == 1 ? 0 : index[d]);
        }

        return offset;
    }
}
