namespace GitTheta.Core.Updates;

/// <summary>
/// numpy's broadcasting of a smaller tensor over a group: shapes are aligned at their last dimension, the smaller one is
/// padded with leading 1s, and each of its dimensions must be 1 (shared along that dimension) or the group's size.
/// </summary>
internal sealed class Broadcast
{
    private readonly long[] groupShape;
    private readonly long[] strides;

    private Broadcast(long[] groupShape, long[] strides)
    {
        this.groupShape = groupShape;
        this.strides = strides;
    }

    /// <summary>The broadcast of <paramref name="shape"/> over <paramref name="groupShape"/>, or null when numpy would refuse it.</summary>
    public static Broadcast? Of(IReadOnlyList<long> shape, IReadOnlyList<long> groupShape)
    {
        if (shape.Count > groupShape.Count)
        {
            return null;
        }

        var rank = groupShape.Count;
        var padded = Enumerable.Repeat(1L, rank - shape.Count).Concat(shape).ToArray();
        var strides = new long[rank];
        long stride = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            if (padded[d] != 1 && padded[d] != groupShape[d])
            {
                return null;
            }

            strides[d] = padded[d] == 1 ? 0 : stride;
            stride *= padded[d];
        }

        return new Broadcast(groupShape.ToArray(), strides);
    }

    public long ElementCount => groupShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>
    /// Fills <paramref name="sources"/> with the index of the small tensor's element that each group element uses,
    /// for the group elements from <paramref name="first"/> on, in row-major order.
    /// </summary>
    public void Map(long first, Span<long> sources)
    {
        var rank = groupShape.Length;
        var position = new long[rank];
        long source = 0;
        var rest = first;
        for (var d = rank - 1; d >= 0; d--)
        {
            position[d] = rest % groupShape[d];
            rest /= groupShape[d];
            source += position[d] * strides[d];
        }

        for (var i = 0; i < sources.Length; i++)
        {
            sources[i] = source;
            for (var d = rank - 1; d >= 0; d--)
            {
                position[d]++;
                source += strides[d];
                if (position[d] < groupShape[d])
                {
                    break;
                }

                source -= strides[d] * position[d];
                position[d] = 0;
            }
        }
    }
}
