using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;
using Lanes = System.Numerics.Vector;

namespace GitTheta.Core.Updates;

/// <summary>
/// Products of a group's difference D (m × n, row-major, the group's own layout) with thin matrices of a few dozen
/// columns, which is all the randomized SVD asks of D. MathNet's managed provider copies rows and blocks for any
/// shape and was half of a low-rank inference; here each output row is a sum of scaled rows of the thin matrix, with
/// vector lanes across its columns, and threads split the output rows. Every output element is summed in the same
/// order on any number of threads, so the factors are the same on every machine.
/// </summary>
internal static class ThinProduct
{
    /// <summary>D·B for B n × l: an m × l matrix.</summary>
    public static Matrix<double> Times(double[] d, int m, int n, Matrix<double> b)
    {
        var l = b.ColumnCount;
        var thin = RowMajor(b);
        var result = new double[m * l];
        Parallel.For(0, m, i => RowTimes(d.AsSpan(i * n, n), thin, result.AsSpan(i * l, l)));
        return FromRowMajor(m, l, result);
    }

    /// <summary>Dᵀ·B for B m × l: an n × l matrix.</summary>
    public static Matrix<double> TransposeTimes(double[] d, int m, int n, Matrix<double> b)
    {
        var l = b.ColumnCount;
        var thin = RowMajor(b);
        var result = new double[n * l];
        const int Stripe = 64;
        Parallel.For(0, (n + Stripe - 1) / Stripe, stripe => StripeTimes(d, m, n, thin, l, result, stripe * Stripe, Math.Min(n, (stripe + 1) * Stripe)));
        return FromRowMajor(n, l, result);
    }

    // Optimized from the first call: a group is one call, too short for tiered compilation to catch up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTimes(ReadOnlySpan<double> row, double[] thin, Span<double> output)
    {
        var l = output.Length;
        for (var j = 0; j < row.Length; j++)
        {
            AddScaled(output, row[j], thin.AsSpan(j * l, l));
        }
    }

    /// <summary>Output rows first..last of Dᵀ·B: each sums over every row of D in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StripeTimes(double[] d, int m, int n, double[] thin, int l, double[] result, int first, int last)
    {
        for (var i = 0; i < m; i++)
        {
            var bi = thin.AsSpan(i * l, l);
            var di = d.AsSpan(i * n, n);
            for (var j = first; j < last; j++)
            {
                AddScaled(result.AsSpan(j * l, l), di[j], bi);
            }
        }
    }

    /// <summary><paramref name="target"/> += <paramref name="scale"/> · <paramref name="source"/>, a multiply and an add per element (no fused rounding, the same with or without vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled(Span<double> target, double scale, ReadOnlySpan<double> source)
    {
        if (scale == 0)
        {
            return;
        }

        var i = 0;
        if (Lanes.IsHardwareAccelerated && target.Length >= System.Numerics.Vector<double>.Count)
        {
            var factor = new System.Numerics.Vector<double>(scale);
            var targets = MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(target);
            var sources = MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(source);
            for (var k = 0; k < targets.Length; k++)
            {
                targets[k] += sources[k] * factor;
            }

            i = targets.Length * System.Numerics.Vector<double>.Count;
        }

        for (; i < target.Length; i++)
        {
            target[i] += source[i] * scale;
        }
    }

    private static double[] RowMajor(Matrix<double> matrix)
    {
        var rows = matrix.RowCount;
        var columns = matrix.ColumnCount;
        var columnMajor = matrix.AsColumnMajorArray() ?? matrix.ToColumnMajorArray();
        var result = new double[rows * columns];
        for (var c = 0; c < columns; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                result[(r * columns) + c] = columnMajor[(c * rows) + r];
            }
        }

        return result;
    }

    private static Matrix<double> FromRowMajor(int rows, int columns, double[] rowMajor)
    {
        var columnMajor = new double[rows * columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                columnMajor[(c * rows) + r] = rowMajor[(r * columns) + c];
            }
        }

        return Matrix<double>.Build.Dense(rows, columns, columnMajor);
    }
}
