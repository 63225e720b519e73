using System.Globalization;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace GitTheta.Core.Updates;

/// <summary>
/// A change of a matrix as two factors, new = old + R·C, with <c>R</c> [rows, k] and <c>C</c> [k, columns] (a group
/// of more than two dimensions is read as [first dimension, the rest]); LoRA's B and A. Side-loaded factors are stored
/// as given. Inferred ones come from a truncated SVD of the difference: R has orthonormal columns and C = Rᵀ·(new − old),
/// in float32 (float64 for F64 groups), with the rank from theta.rank (--rank) or else the singular values above a
/// threshold (theta.lowRankThreshold, by default the rounding noise of the group's dtype). Factors that would not be
/// smaller than the value, or would not rebuild it within atol and rtol, are not stored: the group is stored dense.
/// A 1-D group (or a scalar) stores its difference, exactly, as <c>diff</c>.
/// </summary>
internal sealed class LowRankUpdate : IncrementalUpdateType
{
    public const string TypeName = "low-rank";

    /// <summary>Extra random directions beyond the rank sought, which make the leading ones accurate.</summary>
    private const int Oversampling = 8;

    private const int FirstRank = 8;


    private static readonly string[] Keys = { LowRankObject.RowFactor, LowRankObject.ColumnFactor };

    public override string Name => TypeName;

    public override IReadOnlyList<string> UpdateDataKeys => Keys;

    public override bool Supports(TensorInfo info) => DTypes.IsFloatingPoint(info.DType);

    public override UpdateInference Infer(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value)
    {
        var settings = context.Settings;
        if (info.Shape.Count < 2)
        {
            return InferDifference(context, info, baseValue, value);
        }

        var count = info.ElementCount;
        if (count == 0)
        {
            return UpdateInference.Decline("the group has no elements");
        }

        var rows = info.Shape[0];
        var columns = count / rows;
        var factorType = Elements.ArithmeticDType(info.DType);
        var perRank = (rows + columns) * DTypes.SizeOf(factorType);
        var maxRank = (info.ByteLength - 1) / perRank;
        if (maxRank < 1)
        {
            return UpdateInference.Decline($"even rank-1 factors ({perRank} bytes) would not be smaller than the value ({info.ByteLength} bytes)");
        }

        if (count > Array.MaxLength)
        {
            return UpdateInference.Decline($"the group has {count} elements, too many to decompose in memory");
        }

        var difference = Elements.ToDoubles(info.DType, value);
        var newSquares = 0.0;
        var energy = 0.0;
        var old = new double[Math.Min(count, 1 << 16)];
        for (long start = 0; start < count; start += old.Length)
        {
            var n = (int)Math.Min(old.Length, count - start);
            var size = DTypes.SizeOf(info.DType);
            ElementConverter.ToDouble(info.DType, baseValue.Slice((int)(start * size), n * size), old.AsSpan(0, n));
            for (var i = 0; i < n; i++)
            {
                var y = difference[start + i];
                newSquares += y * y;
                var d = y - old[i];
                difference[start + i] = d;
                energy += d * d;
            }
        }

        if (!double.IsFinite(energy) || !double.IsFinite(newSquares))
        {
            return UpdateInference.Decline("the value or its change holds NaN or infinite elements");
        }

        // Dᵀ, column-major, is D row-major: the same array.
        var transposed = Matrix<double>.Build.Dense((int)columns, (int)rows, difference);
        var smallest = (int)Math.Min(rows, columns);
        if (settings.LowRankRank is { } fixedRank)
        {
            if (fixedRank > maxRank)
            {
                return UpdateInference.Decline($"rank {fixedRank} factors ({fixedRank * perRank} bytes) would not be smaller than the value ({info.ByteLength} bytes)");
            }

            var rank = Math.Min(fixedRank, smallest);
            var svd = TruncatedSvd.Compute(transposed, rank + Oversampling);
            return Build(context, info, baseValue, value, transposed, svd, rank, factorType)
                ?? UpdateInference.Decline($"rank {rank} factors would not rebuild the value within atol {Number(settings.Atol)} and rtol {Number(settings.Rtol)}");
        }

        var wanted = (int)Math.Min(FirstRank, maxRank);
        while (true)
        {
            var svd = TruncatedSvd.Compute(transposed, wanted + Oversampling);
            var sigma = svd.SingularValues;
            var threshold = settings.LowRankThreshold ?? NoiseThreshold(info.DType, newSquares, count, rows, columns, sigma.Length > 0 ? sigma[0] : 0);
            var rank = sigma.Count(s => s > threshold);
            if (rank > maxRank)
            {
                return NotSmaller(info, rank, perRank, threshold);
            }

            if (rank < sigma.Length || sigma.Length == smallest)
            {
                return Build(context, info, baseValue, value, transposed, svd, rank, factorType)
                    ?? UpdateInference.Decline($"rank {rank} factors (the singular values above {Number(threshold)}) would not rebuild the value within atol {Number(settings.Atol)} and rtol {Number(settings.Rtol)}; give the rank with --rank");
            }

            // Every singular value found is above the threshold, so the rank may be higher. The energy not yet
            // accounted for bounds from below how many more there are: each is at most the smallest one found.
            var rest = Math.Max(0, energy - sigma.Sum(s => s * s) - ((smallest - sigma.Length) * threshold * threshold));
            var atLeast = sigma.Length + (rest / (sigma[^1] * sigma[^1]) / 2);
            if (atLeast > maxRank || wanted >= maxRank)
            {
                return NotSmaller(info, (long)Math.Ceiling(atLeast), perRank, threshold);
            }

            wanted = (int)Math.Min(wanted * 2L, maxRank);
        }
    }

    public override UpdateTensors FromUpdateData(TensorInfo info, IReadOnlyDictionary<string, UpdateTensor> tensors, string where)
    {
        if (info.Shape.Count < 2)
        {
            throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"{where} is {info.ShapeText}, not a matrix, so it has no low-rank factors; leave '{info.Name}/R' and '{info.Name}/C' out of the update data (its change is then inferred).");
        }

        var r = tensors[LowRankObject.RowFactor];
        var c = tensors[LowRankObject.ColumnFactor];
        var rows = info.Shape[0];
        var columns = info.ElementCount / Math.Max(1, rows);
        var rank = r.Info.Shape.Count == 2 ? r.Info.Shape[1] : -1;
        var cColumns = c.Info.Shape.Count >= 2 ? TensorInfo.CountElements(c.Info.Shape.Skip(1).ToList(), c.Info.Name) : -1;
        var floats = DTypes.IsFloatingPoint(r.Info.DType) && DTypes.IsFloatingPoint(c.Info.DType);
        var flattened = floats && r.Info.Shape.Count == 2 && r.Info.Shape[0] == rows && rank >= 1
            && c.Info.Shape.Count >= 2 && c.Info.Shape[0] == rank && cColumns == columns;
        if (!flattened && floats && info.Shape.Count > 2 && BatchedFactors.Fit(r.Info.Shape, c.Info.Shape, info.Shape))
        {
            // numpy's batched matmul shapes, stored as given: checkout multiplies them the same way.
            return new UpdateTensors(new[]
            {
                new UpdateTensor(r.Info with { Name = LowRankObject.RowFactor }, r.Data),
                new UpdateTensor(c.Info with { Name = LowRankObject.ColumnFactor }, c.Data),
            });
        }

        if (!flattened)
        {
            var batched = info.Shape.Count > 2 ? $", or shapes numpy's matmul multiplies to {info.ShapeText} (R [..., {info.Shape[^2]}, k] and C [..., k, {info.Shape[^1]}], batch dimensions broadcasting)" : string.Empty;
            throw new ThetaException(
                DiagnosticIds.InvalidUpdateData,
                $"{where} is {info.DType} {info.ShapeText}, so its factors must be floating point with R [{rows}, k] and C [k, {columns}]{batched}; the update data has R {r.Info.DType} {r.Info.ShapeText} and C {c.Info.DType} {c.Info.ShapeText}.");
        }

        return new UpdateTensors(new[]
        {
            new UpdateTensor(new TensorInfo(LowRankObject.RowFactor, r.Info.DType, new[] { rows, rank }), r.Data),
            new UpdateTensor(new TensorInfo(LowRankObject.ColumnFactor, c.Info.DType, new[] { rank, columns }), c.Data),
        });
    }

    public override void Apply(TensorInfo info, UpdateTensors update, Span<byte> value, string where)
    {
        if (update.Find(LowRankObject.Diff) is { } diff)
        {
            if (!DTypes.IsFloatingPoint(diff.Info.DType) || !diff.Info.Shape.SequenceEqual(info.Shape))
            {
                throw Corrupt(where, $"difference is {diff.Info.DType} {diff.Info.ShapeText}, not a floating point {info.ShapeText}");
            }

            var deltas = diff.ToDoubles();
            var current = Elements.ToDoubles(info.DType, value);
            for (var i = 0; i < deltas.Length; i++)
            {
                current[i] += deltas[i];
            }

            ElementNarrower.FromDouble(info.DType, current, value);
            return;
        }

        var r = update.Get(LowRankObject.RowFactor, where);
        var c = update.Get(LowRankObject.ColumnFactor, where);
        if ((r.Info.Shape.Count > 2 || c.Info.Shape.Count > 2) && BatchedFactors.Fit(r.Info.Shape, c.Info.Shape, info.Shape)
            && DTypes.IsFloatingPoint(r.Info.DType) && DTypes.IsFloatingPoint(c.Info.DType))
        {
            BatchedFactors.AddTo(info.DType, r, c, info.Shape, value);
            return;
        }

        var rows = info.Shape.Count >= 2 ? info.Shape[0] : -1;
        var columns = rows > 0 ? info.ElementCount / rows : 0;
        if (rows < 0 || r.Info.Shape.Count != 2 || c.Info.Shape.Count != 2 || r.Info.Shape[0] != rows || c.Info.Shape[1] != columns || r.Info.Shape[1] != c.Info.Shape[0]
            || !DTypes.IsFloatingPoint(r.Info.DType) || !DTypes.IsFloatingPoint(c.Info.DType))
        {
            throw Corrupt(where, $"factors R {r.Info.ShapeText} and C {c.Info.ShapeText} do not fit {info.ShapeText}");
        }

        FactorProduct.AddTo(info.DType, r.ToDoubles(), c.ToDoubles(), (int)rows, (int)r.Info.Shape[1], (int)columns, value);
    }

    /// <summary>
    /// Rank-<paramref name="rank"/> factors of the difference, when they are smaller than the value and rebuild it within
    /// atol and rtol; null when they do not rebuild it. The rounding of the new values is not low-rank, and the part
    /// of it that lies in the factors' span makes about one element in eight come back one unit in the last place off:
    /// within the tolerances for F32 and F64 values, not for BF16 or F16 ones, whose inferred updates therefore fall
    /// back to dense at the default tolerances (side-loaded factors have no such problem).
    /// </summary>
    private UpdateInference? Build(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value, Matrix<double> transposed, TruncatedSvd svd, int rank, DType factorType)
    {
        var (update, rebuilt) = Factor(info, baseValue, transposed, svd.Left, rank, factorType);
        if (update.ObjectLength >= info.ByteLength)
        {
            return UpdateInference.Decline($"rank {rank} factors ({update.ObjectLength} bytes) would not be smaller than the value ({info.ByteLength} bytes)");
        }

        return AllClose.Check(info.DType, rebuilt, value, context.Settings.Atol, context.Settings.Rtol) ? UpdateInference.Stored(update, rebuilt) : null;
    }

    /// <summary>R = the first <paramref name="rank"/> left singular vectors, C = Rᵀ·D, both narrowed to the factor dtype, and the value they rebuild.</summary>
    private (UpdateTensors Update, byte[] Value) Factor(TensorInfo info, ReadOnlySpan<byte> baseValue, Matrix<double> transposed, Matrix<double> singular, int rank, DType factorType)
    {
        var rows = transposed.ColumnCount;
        var left = singular.SubMatrix(0, rows, 0, rank);
        var r = new double[rows * rank];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < rank; j++)
            {
                r[(i * rank) + j] = left[i, j];
            }
        }

        // C = Rᵀ·D, computed as Dᵀ·R (columns × rank, column-major), whose storage is C row-major.
        var d = transposed.AsColumnMajorArray() ?? transposed.ToColumnMajorArray();
        var c = ThinProduct.TransposeTimes(d, rows, transposed.RowCount, left).ToColumnMajorArray();
        var update = new UpdateTensors(new[]
        {
            UpdateTensor.Of(LowRankObject.RowFactor, factorType, new long[] { rows, rank }, Elements.FromDoubles(factorType, r)),
            UpdateTensor.Of(LowRankObject.ColumnFactor, factorType, new long[] { rank, transposed.RowCount }, Elements.FromDoubles(factorType, c)),
        });
        var rebuilt = baseValue.ToArray();
        Apply(info, update, rebuilt, "inferred factors");
        return (update, rebuilt);
    }

    private UpdateInference InferDifference(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value)
    {
        var bases = Elements.ToDoubles(info.DType, baseValue);
        var diffs = Elements.ToDoubles(info.DType, value);
        for (var i = 0; i < diffs.Length; i++)
        {
            diffs[i] -= bases[i];
        }

        var update = new UpdateTensors(new[] { DiffEncoding.Encode(LowRankObject.Diff, info.DType, info.Shape, bases, diffs, value) });
        var rebuilt = baseValue.ToArray();
        Apply(info, update, rebuilt, context.Path);
        return AllClose.Check(info.DType, rebuilt, value, context.Settings.Atol, context.Settings.Rtol)
            ? UpdateInference.Stored(update, rebuilt)
            : UpdateInference.Decline("its difference does not rebuild the value (NaN or infinite elements)");
    }

    /// <summary>
    /// Singular values of the difference that rounding alone could explain: the noise of rounding every new element
    /// to its dtype (half a unit in the last place of values of the group's root-mean-square size, a random matrix
    /// whose largest singular value is about (√rows + √columns) times its element size), doubled; and never below
    /// numpy's matrix_rank tolerance for float64 arithmetic.
    /// </summary>
    private static double NoiseThreshold(DType dtype, double newSquares, long count, long rows, long columns, double largest)
    {
        var rms = Math.Sqrt(newSquares / count);
        var rounding = 2 * Elements.UnitRoundoff(dtype) * rms * (Math.Sqrt(rows) + Math.Sqrt(columns));
        var arithmetic = largest * Math.Max(rows, columns) * Math.ScaleB(1, -52);
        return Math.Max(rounding, arithmetic);
    }

    private static UpdateInference NotSmaller(TensorInfo info, long rank, long perRank, double threshold) =>
        UpdateInference.Decline($"its change has rank {rank} or more (singular values above {Number(threshold)}), and such factors ({rank * perRank} bytes or more) would not be smaller than the value ({info.ByteLength} bytes)");

    private static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
