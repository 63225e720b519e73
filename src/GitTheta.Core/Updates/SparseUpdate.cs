using System.Globalization;
using System.Runtime.InteropServices;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// The elements that changed by more than the sparse threshold (theta.sparseThreshold, default 1e-12), as flat
/// row-major <c>indices</c> (I32, or I64 for groups past 2^31 elements) and their differences <c>values</c> (F32 when
/// that rebuilds them exactly, else F64), with the group's <c>shape</c> (I64). Checkout adds each difference to the
/// previous element in float64 and writes it back in the group's dtype: the changed elements come back exactly, the
/// others are the previous ones, within the threshold of the new value. Works for every dtype; a change too dense
/// to be smaller than the value is stored dense.
/// </summary>
public sealed class SparseUpdate : IncrementalUpdateType
{
    public const string TypeName = "sparse";
    public const string IndicesTensor = "indices";
    public const string ValuesTensor = "values";
    public const string ShapeTensor = "shape";

    private const int Chunk = 4096;

    public override string Name => TypeName;

    public override bool Supports(TensorInfo info) => true;

    public override UpdateInference Infer(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value)
    {
        var threshold = context.Settings.SparseThreshold;
        var dtype = info.DType;
        var size = DTypes.SizeOf(dtype);
        var count = info.ElementCount;
        var indices = new List<long>();
        var bases = new List<double>();
        var diffs = new List<double>();
        var targets = new MemoryStream();
        var x = new double[Chunk];
        var y = new double[Chunk];
        for (long start = 0; start < count; start += Chunk)
        {
            var n = (int)Math.Min(Chunk, count - start);
            var oldBytes = baseValue.Slice((int)(start * size), n * size);
            var newBytes = value.Slice((int)(start * size), n * size);
            if (oldBytes.SequenceEqual(newBytes))
            {
                continue;
            }

            ElementConverter.ToDouble(dtype, oldBytes, x.AsSpan(0, n));
            ElementConverter.ToDouble(dtype, newBytes, y.AsSpan(0, n));
            for (var i = 0; i < n; i++)
            {
                if (oldBytes.Slice(i * size, size).SequenceEqual(newBytes.Slice(i * size, size)) || (double.IsNaN(x[i]) && double.IsNaN(y[i])))
                {
                    continue;
                }

                var d = y[i] - x[i];
                if (Math.Abs(d) <= threshold)
                {
                    continue;
                }

                indices.Add(start + i);
                bases.Add(x[i]);
                diffs.Add(d);
                targets.Write(newBytes.Slice(i * size, size));
            }
        }

        var update = new UpdateTensors(new[]
        {
            IndexTensor(indices, count),
            DiffEncoding.Encode(ValuesTensor, dtype, new long[] { indices.Count }, CollectionsMarshal.AsSpan(bases), CollectionsMarshal.AsSpan(diffs), targets.ToArray()),
            UpdateTensor.Of(ShapeTensor, DType.I64, new long[] { info.Shape.Count }, MemoryMarshal.AsBytes(info.Shape.ToArray().AsSpan()).ToArray()),
        });
        if (update.ObjectLength >= info.ByteLength)
        {
            var share = count == 0 ? 0 : (double)indices.Count / count;
            return UpdateInference.Decline($"{indices.Count} of {count} elements changed ({share.ToString("P1", CultureInfo.InvariantCulture)}), so a sparse update ({update.ObjectLength} bytes) would not be smaller than the value ({info.ByteLength} bytes)");
        }

        var rebuilt = baseValue.ToArray();
        Apply(info, update, rebuilt, context.Path);
        for (var k = 0; k < indices.Count; k++)
        {
            // Exact for every dtype narrower than float64; a float64 difference of values of opposite signs can
            // round by one unit in the last place, which the threshold covers.
            if (!Elements.Same(dtype, rebuilt, value, indices[k])
                && !(Math.Abs(Elements.Get(dtype, rebuilt, indices[k]) - Elements.Get(dtype, value, indices[k])) <= threshold))
            {
                return UpdateInference.Decline($"element {indices[k]} cannot be rebuilt exactly from its float64 difference");
            }
        }

        return UpdateInference.Stored(update, rebuilt);
    }

    public override void Apply(TensorInfo info, UpdateTensors update, Span<byte> value, string where)
    {
        var indices = update.Get(IndicesTensor, where);
        var values = update.Get(ValuesTensor, where);
        var nonZero = indices.Info.Shape.Count == 1 ? indices.Info.Shape[0] : -1;
        if (indices.Info.DType is not (DType.I32 or DType.I64) || nonZero < 0
            || values.Info.DType is not (DType.F32 or DType.F64) || !values.Info.Shape.SequenceEqual(new[] { nonZero }))
        {
            throw Corrupt(where, $"is not a sparse update (indices {indices.Info.DType} {indices.Info.ShapeText}, values {values.Info.DType} {values.Info.ShapeText})");
        }

        if (update.Find(ShapeTensor) is { } shape && !MemoryMarshal.Cast<byte, long>(shape.Data.Span).SequenceEqual(info.Shape.ToArray()))
        {
            throw Corrupt(where, $"was made for a group of another shape than {info.ShapeText}");
        }

        var count = info.ElementCount;
        var deltas = values.ToDoubles();
        var span = indices.Data.Span;
        long previous = -1;
        for (var k = 0; k < deltas.Length; k++)
        {
            var index = indices.Info.DType == DType.I32 ? MemoryMarshal.Read<int>(span[(k * 4)..]) : MemoryMarshal.Read<long>(span[(k * 8)..]);
            if (index <= previous || index >= count)
            {
                throw Corrupt(where, $"names element {index}, out of order or outside the group's {count} elements");
            }

            previous = index;
            Elements.Set(info.DType, value, index, Elements.Get(info.DType, value, index) + deltas[k]);
        }
    }

    private static UpdateTensor IndexTensor(List<long> indices, long count)
    {
        var shape = new long[] { indices.Count };
        if (count <= int.MaxValue)
        {
            var narrow = indices.Select(i => (int)i).ToArray();
            return UpdateTensor.Of(IndicesTensor, DType.I32, shape, MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
        }

        return UpdateTensor.Of(IndicesTensor, DType.I64, shape, MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(indices)).ToArray());
    }
}
