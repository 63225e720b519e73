using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// IA3 (Liu et al. 2022): the new value is the old one scaled elementwise by a small tensor <c>ia3</c> that numpy
/// broadcasting spreads over the group, new = old · ia3, e.g. one factor per output row of a weight matrix. A
/// side-loaded vector (<c>&lt;group&gt;/ia3</c>) may have any shape that broadcasts to the group. An inferred one is
/// the mean of new/old over the broadcast dimensions (theta.ia3BroadcastDims; by default all but the first, then all
/// but the last), skipping old zeros, kept with the group's rank and 1 along those dimensions, in float32 (float64 for
/// F64 groups). It is stored only when it rebuilds the value within atol and rtol: git-theta's inferred IA3 could not
/// run at all, and would have stored any change as a (wrong) scaling.
/// </summary>
internal sealed class Ia3Update : IncrementalUpdateType
{
    public const string TypeName = "ia3";

    private const int Chunk = 4096;

    private static readonly string[] Keys = { Ia3Object.Vector };

    public override string Name => TypeName;

    public override IReadOnlyList<string> UpdateDataKeys => Keys;

    public override bool Supports(TensorInfo info) => DTypes.IsFloatingPoint(info.DType);

    public override UpdateInference Infer(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value)
    {
        var reason = "the group has no broadcast dimensions to share a scale along";
        foreach (var dimensions in Candidates(context.Settings.Ia3BroadcastDims, info.Shape.Count))
        {
            var shape = info.Shape.Select((size, d) => dimensions.Contains(d) ? 1 : size).ToArray();
            var vectorType = Elements.ArithmeticDType(info.DType);
            var vectorBytes = TensorInfo.CountElements(shape, Ia3Object.Vector) * DTypes.SizeOf(vectorType);
            var along = dimensions.Count == 0 ? "no dimension" : "dimension(s) " + string.Join(", ", dimensions);
            if (vectorBytes >= info.ByteLength)
            {
                reason = $"a scale shared along {along} ({vectorBytes} bytes) would not be smaller than the value ({info.ByteLength} bytes)";
                continue;
            }

            // First a scale that rebuilds every element exactly, when there is one; else the mean ratio, if close enough.
            if (ExactScale(info, baseValue, value, shape) is { } exact)
            {
                var (update, rebuilt) = Rebuild(info, baseValue, shape, exact.Scale, exact.Fits(vectorType) ? vectorType : DType.F64);
                if (rebuilt.AsSpan().SequenceEqual(value) && update.ObjectLength < info.ByteLength)
                {
                    return UpdateInference.Stored(update, rebuilt);
                }
            }

            var (mean, meanRebuilt) = Rebuild(info, baseValue, shape, MeanRatio(info, baseValue, value, shape), vectorType);
            if (AllClose.Check(info.DType, meanRebuilt, value, context.Settings.Atol, context.Settings.Rtol))
            {
                return UpdateInference.Stored(mean, meanRebuilt);
            }

            reason = $"the new value is not the previous one scaled along {along} (within atol and rtol)";
        }

        return UpdateInference.Decline(reason);
    }

    public override UpdateTensors FromUpdateData(TensorInfo info, IReadOnlyDictionary<string, UpdateTensor> tensors, string where)
    {
        var vector = tensors[Ia3Object.Vector];
        if (!DTypes.IsFloatingPoint(vector.Info.DType) || Broadcast.Of(vector.Info.Shape, info.Shape) is null)
        {
            throw new ThetaException(
                DiagnosticIds.InvalidUpdateData,
                $"{where} is {info.DType} {info.ShapeText}; its IA3 scale '{info.Name}/{Ia3Object.Vector}' is {vector.Info.DType} {vector.Info.ShapeText}, which does not broadcast to it (each dimension, aligned from the last, must be 1 or the group's) or is not floating point.");
        }

        return new UpdateTensors(new[] { new UpdateTensor(vector.Info with { Name = Ia3Object.Vector }, vector.Data) });
    }

    public override void Apply(TensorInfo info, UpdateTensors update, Span<byte> value, string where)
    {
        var vector = update.Get(Ia3Object.Vector, where);
        var broadcast = DTypes.IsFloatingPoint(vector.Info.DType) ? Broadcast.Of(vector.Info.Shape, info.Shape) : null;
        if (broadcast is null)
        {
            throw Corrupt(where, $"scale {vector.Info.DType} {vector.Info.ShapeText} does not broadcast to {info.ShapeText}");
        }

        var scale = vector.ToDoubles();
        var size = DTypes.SizeOf(info.DType);
        var count = info.ElementCount;
        var elements = new double[Chunk];
        var sources = new long[Chunk];
        for (long start = 0; start < count; start += Chunk)
        {
            var n = (int)Math.Min(Chunk, count - start);
            var bytes = value.Slice((int)(start * size), n * size);
            ElementConverter.ToDouble(info.DType, bytes, elements.AsSpan(0, n));
            broadcast.Map(start, sources.AsSpan(0, n));
            for (var i = 0; i < n; i++)
            {
                elements[i] *= scale[sources[i]];
            }

            ElementNarrower.FromDouble(info.DType, elements.AsSpan(0, n), bytes);
        }
    }

    /// <summary>The sets of broadcast dimensions to try, as dimensions of a group of <paramref name="rank"/> dimensions.</summary>
    private static IEnumerable<IReadOnlySet<int>> Candidates(IReadOnlyList<int>? configured, int rank)
    {
        if (configured is not null)
        {
            // Negative dimensions count from the last, as in numpy; dimensions the group does not have are left out.
            yield return configured.Select(d => d < 0 ? d + rank : d).Where(d => d >= 0 && d < rank).ToHashSet();
            yield break;
        }

        if (rank < 2)
        {
            yield return new HashSet<int>();
            yield break;
        }

        yield return Enumerable.Range(1, rank - 1).ToHashSet();
        yield return Enumerable.Range(0, rank - 1).ToHashSet();
    }

    private (UpdateTensors Update, byte[] Value) Rebuild(TensorInfo info, ReadOnlySpan<byte> baseValue, long[] shape, double[] scale, DType vectorType)
    {
        var update = new UpdateTensors(new[] { UpdateTensor.Of(Ia3Object.Vector, vectorType, shape, Elements.FromDoubles(vectorType, scale)) });
        var rebuilt = baseValue.ToArray();
        Apply(info, update, rebuilt, "inferred scale");
        return (update, rebuilt);
    }

    /// <summary>
    /// For each scale, the interval of factors that round every element sharing it to its new value (the intersection
    /// of the elements' rounding intervals divided by their old values), and its midpoint; null when some interval is
    /// empty, or an old zero became non-zero.
    /// </summary>
    private static ScaleInterval? ExactScale(TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value, long[] shape)
    {
        var broadcast = Broadcast.Of(shape, info.Shape)!;
        var vectorCount = TensorInfo.CountElements(shape, Ia3Object.Vector);
        var lows = Enumerable.Repeat(double.NegativeInfinity, (int)vectorCount).ToArray();
        var highs = Enumerable.Repeat(double.PositiveInfinity, (int)vectorCount).ToArray();
        var size = DTypes.SizeOf(info.DType);
        var count = info.ElementCount;
        var x = new double[Chunk];
        var low = new double[Chunk];
        var high = new double[Chunk];
        var sources = new long[Chunk];
        for (long start = 0; start < count; start += Chunk)
        {
            var n = (int)Math.Min(Chunk, count - start);
            ElementConverter.ToDouble(info.DType, baseValue.Slice((int)(start * size), n * size), x.AsSpan(0, n));
            RoundingBounds.Compute(info.DType, value.Slice((int)(start * size), n * size), low.AsSpan(0, n), high.AsSpan(0, n));
            broadcast.Map(start, sources.AsSpan(0, n));
            for (var i = 0; i < n; i++)
            {
                if (x[i] == 0 || !double.IsFinite(x[i]))
                {
                    if (low[i] <= 0 && high[i] >= 0 && x[i] == 0)
                    {
                        continue;
                    }

                    return null;
                }

                var a = low[i] / x[i];
                var b = high[i] / x[i];
                var source = sources[i];
                lows[source] = Math.Max(lows[source], Math.Min(a, b));
                highs[source] = Math.Min(highs[source], Math.Max(a, b));
            }
        }

        var scale = new double[vectorCount];
        for (var v = 0; v < vectorCount; v++)
        {
            if (!(lows[v] <= highs[v]))
            {
                return null;
            }

            scale[v] = double.IsNegativeInfinity(lows[v]) ? 1 : (lows[v] + highs[v]) / 2;
        }

        return new ScaleInterval(scale, lows, highs);
    }

    /// <summary>The exact scales found, with the intervals each may move in.</summary>
    private sealed record ScaleInterval(double[] Scale, double[] Lows, double[] Highs)
    {
        /// <summary>True when every scale, narrowed to <paramref name="dtype"/>, stays in its interval.</summary>
        public bool Fits(DType dtype)
        {
            var narrowed = Elements.ToDoubles(dtype, Elements.FromDoubles(dtype, Scale));
            return narrowed.Select((s, v) => s >= Lows[v] && s <= Highs[v] || double.IsNegativeInfinity(Lows[v])).All(ok => ok);
        }
    }

    /// <summary>The mean of new/old over the elements sharing each scale, skipping old zeros (1 where every old element is zero).</summary>
    private static double[] MeanRatio(TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value, long[] shape)
    {
        var broadcast = Broadcast.Of(shape, info.Shape)!;
        var vectorCount = TensorInfo.CountElements(shape, Ia3Object.Vector);
        var sums = new double[vectorCount];
        var counts = new long[vectorCount];
        var size = DTypes.SizeOf(info.DType);
        var count = info.ElementCount;
        var x = new double[Chunk];
        var y = new double[Chunk];
        var sources = new long[Chunk];
        for (long start = 0; start < count; start += Chunk)
        {
            var n = (int)Math.Min(Chunk, count - start);
            ElementConverter.ToDouble(info.DType, baseValue.Slice((int)(start * size), n * size), x.AsSpan(0, n));
            ElementConverter.ToDouble(info.DType, value.Slice((int)(start * size), n * size), y.AsSpan(0, n));
            broadcast.Map(start, sources.AsSpan(0, n));
            for (var i = 0; i < n; i++)
            {
                if (x[i] != 0)
                {
                    sums[sources[i]] += y[i] / x[i];
                    counts[sources[i]]++;
                }
            }
        }

        for (var i = 0; i < vectorCount; i++)
        {
            sums[i] = counts[i] == 0 ? 1 : sums[i] / counts[i];
        }

        return sums;
    }
}
