using System.Globalization;
using System.Runtime.InteropServices;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// The elements that changed by more than the sparse threshold (theta.sparseThreshold, default 1e-12), as flat
/// row-major <c>indices</c> (I32, or I64 for groups past 2^31 elements) and their differences <c>values</c> in F32,
/// plus <c>wide_indices</c> and <c>wide_values</c> in F64 for the few differences F32 would not rebuild exactly (all
/// of them in <c>values</c>, F64, when none is exact in F32), with the group's <c>shape</c> (I64). Checkout adds each difference to the
/// previous element in float64 and writes it back in the group's dtype: the changed elements come back exactly, the
/// others are the previous ones, within the threshold of the new value. Works for every dtype; a change too dense
/// to be smaller than the value is stored dense.
/// </summary>
internal sealed class SparseUpdate : IncrementalUpdateType
{
    public const string TypeName = "sparse";

    public override string Name => TypeName;

    /// <summary>Side-loaded: the flat indices of the changed elements and their differences, as the reference's CSR of the difference.</summary>
    private static readonly string[] Keys = { SparseObject.Indices, SparseObject.Values };

    public override IReadOnlyList<string> UpdateDataKeys => Keys;

    public override bool Supports(TensorInfo info) => true;

    /// <summary>
    /// <c>&lt;group&gt;/indices</c> (integer, 1-D: flat row-major element indices, any order, each once) and
    /// <c>&lt;group&gt;/values</c> (floating point, 1-D, as many: the difference to add to each element, never the new
    /// value). Stored in float64, so every difference is kept as given.
    /// </summary>
    public override UpdateTensors FromUpdateData(TensorInfo info, IReadOnlyDictionary<string, UpdateTensor> tensors, string where)
    {
        var indices = tensors[SparseObject.Indices];
        var values = tensors[SparseObject.Values];
        if (indices.Info.DType is not (DType.I32 or DType.I64 or DType.I16 or DType.I8 or DType.U8 or DType.U16 or DType.U32)
            || indices.Info.Shape.Count != 1 || !DTypes.IsFloatingPoint(values.Info.DType)
            || values.Info.Shape.Count != 1 || values.Info.Shape[0] != indices.Info.Shape[0])
        {
            throw new ThetaException(
                DiagnosticIds.InvalidUpdateData,
                $"{where}: the sparse update data must be '{info.Name}/indices' (integers, 1-D) and '{info.Name}/values' (floating point, 1-D, as many: the differences), not {indices.Info.DType} {indices.Info.ShapeText} and {values.Info.DType} {values.Info.ShapeText}.");
        }

        var flat = Elements.ToDoubles(indices.Info.DType, indices.Data.Span);
        var diffs = values.ToDoubles();
        var order = Enumerable.Range(0, flat.Length).OrderBy(k => flat[k]).ToArray();
        var sorted = new List<long>(order.Length);
        foreach (var k in order)
        {
            var index = (long)flat[k];
            if (index < 0 || index >= info.ElementCount || (sorted.Count > 0 && sorted[^1] == index))
            {
                throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"{where} has {info.ElementCount} elements; its sparse update data names element {index} twice or outside them.");
            }

            sorted.Add(index);
        }

        var ordered = order.Select(k => diffs[k]).ToArray();
        return new UpdateTensors(new[]
        {
            IndexTensor(SparseObject.Indices, sorted, info.ElementCount),
            UpdateTensor.Of(SparseObject.Values, DType.F64, new long[] { ordered.Length }, MemoryMarshal.AsBytes(ordered.AsSpan()).ToArray()),
            UpdateTensor.Of(SparseObject.Shape, DType.I64, new long[] { info.Shape.Count }, MemoryMarshal.AsBytes(info.Shape.ToArray().AsSpan()).ToArray()),
        });
    }

    public override UpdateInference Infer(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value)
    {
        var threshold = context.Settings.SparseThreshold;
        var dtype = info.DType;
        var size = DTypes.SizeOf(dtype);
        var count = info.ElementCount;
        var indices = new List<long>();
        var bases = new List<double>();
        var diffs = new List<double>();
        var targets = new List<byte>();
        // Every stored difference costs at least an index and a float32; past that many the update cannot be
        // smaller than the value, so a dense change is declined before it is all collected.
        var minimumEntryBytes = (count <= int.MaxValue ? sizeof(int) : sizeof(long)) + sizeof(float);
        var changed = new ChangedElements(baseValue, value, size);
        while (changed.Next(out var index))
        {
            if ((long)(indices.Count + 1) * minimumEntryBytes >= info.ByteLength)
            {
                return UpdateInference.Decline($"more than {indices.Count} of {count} elements changed, so a sparse update (at least {(long)(indices.Count + 1) * minimumEntryBytes} bytes) would not be smaller than the value ({info.ByteLength} bytes)");
            }

            var x = Elements.Get(dtype, baseValue, index);
            var y = Elements.Get(dtype, value, index);
            var d = y - x;
            if ((double.IsNaN(x) && double.IsNaN(y)) || Math.Abs(d) <= threshold)
            {
                continue;
            }

            indices.Add(index);
            bases.Add(x);
            diffs.Add(d);
            targets.AddRange(value.Slice(index * size, size));
        }

        // Most differences are exact in float32; the few that are not (an element close to zero that moved by more
        // than it is) go to a second, float64 block, so one of them does not double the size of the rest.
        var exact = DiffEncoding.ExactInFloat32(dtype, CollectionsMarshal.AsSpan(bases), CollectionsMarshal.AsSpan(diffs), CollectionsMarshal.AsSpan(targets));
        var narrow = Enumerable.Range(0, indices.Count).Where(k => exact[k]).ToList();
        var wide = Enumerable.Range(0, indices.Count).Where(k => !exact[k]).ToList();
        var tensors = new List<UpdateTensor>();
        if (narrow.Count == 0)
        {
            // Nothing is exact in float32 (float64-wide groups, or a change of mostly tiny elements): one float64 block.
            tensors.Add(IndexTensor(SparseObject.Indices, indices, count));
            tensors.Add(DiffEncoding.Float64(SparseObject.Values, dtype, new long[] { indices.Count }, CollectionsMarshal.AsSpan(bases), CollectionsMarshal.AsSpan(diffs), CollectionsMarshal.AsSpan(targets)));
        }
        else
        {
            tensors.Add(IndexTensor(SparseObject.Indices, narrow.Select(k => indices[k]).ToList(), count));
            tensors.Add(DiffEncoding.Float32(SparseObject.Values, new long[] { narrow.Count }, narrow.Select(k => diffs[k]).ToArray()));
            if (wide.Count > 0)
            {
                var all = CollectionsMarshal.AsSpan(targets);
                var wideTargets = new byte[wide.Count * size];
                for (var w = 0; w < wide.Count; w++)
                {
                    all.Slice(wide[w] * size, size).CopyTo(wideTargets.AsSpan(w * size));
                }

                tensors.Add(IndexTensor(SparseObject.WideIndices, wide.Select(k => indices[k]).ToList(), count));
                tensors.Add(DiffEncoding.Float64(SparseObject.WideValues, dtype, new long[] { wide.Count }, wide.Select(k => bases[k]).ToArray(), wide.Select(k => diffs[k]).ToArray(), wideTargets));
            }
        }

        tensors.Add(UpdateTensor.Of(SparseObject.Shape, DType.I64, new long[] { info.Shape.Count }, MemoryMarshal.AsBytes(info.Shape.ToArray().AsSpan()).ToArray()));
        var update = new UpdateTensors(tensors);
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
        if (update.Find(SparseObject.Shape) is { } shape && !MemoryMarshal.Cast<byte, long>(shape.Data.Span).SequenceEqual(info.Shape.ToArray()))
        {
            throw Corrupt(where, $"was made for a group of another shape than {info.ShapeText}");
        }

        var narrow = ApplyBlock(info, update.Get(SparseObject.Indices, where), update.Get(SparseObject.Values, where), value, where);
        if (update.Find(SparseObject.WideIndices) is { } wideIndices)
        {
            var wide = ApplyBlock(info, wideIndices, update.Get(SparseObject.WideValues, where), value, where);
            if (FirstShared(narrow, wide) is { } twice)
            {
                throw Corrupt(where, $"names element {twice} in both of its blocks");
            }
        }
    }

    /// <summary>An index both increasing lists hold, found by merging them, or null.</summary>
    private static long? FirstShared(long[] a, long[] b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                return a[i];
            }

            if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return null;
    }

    /// <summary>Adds one block of differences and returns its indices; they must increase strictly.</summary>
    private static long[] ApplyBlock(TensorInfo info, UpdateTensor indices, UpdateTensor values, Span<byte> value, string where)
    {
        var nonZero = indices.Info.Shape.Count == 1 ? indices.Info.Shape[0] : -1;
        if (indices.Info.DType is not (DType.I32 or DType.I64) || nonZero < 0
            || values.Info.DType is not (DType.F32 or DType.F64) || !values.Info.Shape.SequenceEqual(new[] { nonZero }))
        {
            throw Corrupt(where, $"is not a sparse update (indices {indices.Info.DType} {indices.Info.ShapeText}, values {values.Info.DType} {values.Info.ShapeText})");
        }

        var count = info.ElementCount;
        var deltas = values.ToDoubles();
        var span = indices.Data.Span;
        var applied = new long[deltas.Length];
        long previous = -1;
        for (var k = 0; k < deltas.Length; k++)
        {
            var index = indices.Info.DType == DType.I32 ? MemoryMarshal.Read<int>(span[(k * 4)..]) : MemoryMarshal.Read<long>(span[(k * 8)..]);
            if (index <= previous || index >= count)
            {
                throw Corrupt(where, $"names element {index} out of order, twice, or outside the group's {count} elements");
            }

            previous = index;
            applied[k] = index;
            Elements.Set(info.DType, value, index, Elements.Get(info.DType, value, index) + deltas[k]);
        }

        return applied;
    }

    private static UpdateTensor IndexTensor(string name, List<long> indices, long count)
    {
        var shape = new long[] { indices.Count };
        if (count <= int.MaxValue)
        {
            var narrow = indices.Select(i => (int)i).ToArray();
            return UpdateTensor.Of(name, DType.I32, shape, MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
        }

        return UpdateTensor.Of(name, DType.I64, shape, MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(indices)).ToArray());
    }
}
