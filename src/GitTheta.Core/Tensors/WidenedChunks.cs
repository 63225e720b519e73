namespace GitTheta.Core.Tensors;

/// <summary>The next chunk of two values widened to float64, element i of one beside element i of the other; false stops the walk.</summary>
internal delegate bool WidenedChunkHandler(ReadOnlySpan<double> first, ReadOnlySpan<double> second);

/// <summary>
/// Walks two values of one dtype side by side, widened to float64 a chunk at a time, so comparing groups of any size
/// takes two small buffers rather than float64 copies of both groups.
/// </summary>
internal static class WidenedChunks
{
    public const int ChunkElements = 4096;

    /// <summary>Hands every chunk, in order, to <paramref name="handler"/>; the values must have the same length.</summary>
    /// <returns>False when the handler stopped the walk.</returns>
    public static bool Walk(DType dtype, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, WidenedChunkHandler handler)
    {
        var size = DTypes.SizeOf(dtype);
        var elements = first.Length / size;
        var x = new double[Math.Min(ChunkElements, elements)];
        var y = new double[x.Length];
        for (var start = 0; start < elements; start += ChunkElements)
        {
            var n = Math.Min(ChunkElements, elements - start);
            ElementConverter.ToDouble(dtype, first.Slice(start * size, n * size), x.AsSpan(0, n));
            ElementConverter.ToDouble(dtype, second.Slice(start * size, n * size), y.AsSpan(0, n));
            if (!handler(x.AsSpan(0, n), y.AsSpan(0, n)))
            {
                return false;
            }
        }

        return true;
    }
}
