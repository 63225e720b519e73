using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace GitTheta.Core.Updates;

/// <summary>
/// The leading singular values and left singular vectors of a matrix, by randomized range finding (Halko, Martinsson
/// and Tropp 2011, algorithms 4.4 and 5.1): project on a few random directions, sharpen with power iterations, and
/// decompose the small projected matrix exactly. Costs a few passes over the matrix per requested column instead of
/// a full SVD, and recovers a matrix of rank at most <c>columns</c> exactly up to rounding.
/// </summary>
internal sealed class TruncatedSvd
{
    private const int PowerIterations = 2;

    private TruncatedSvd(Matrix<double> left, double[] singularValues)
    {
        Left = left;
        SingularValues = singularValues;
    }

    /// <summary>m × l, orthonormal columns, in the order of <see cref="SingularValues"/>.</summary>
    public Matrix<double> Left { get; }

    /// <summary>The l estimated singular values, largest first; each is at most the true one.</summary>
    public double[] SingularValues { get; }

    /// <param name="transposed">Dᵀ (n × m): a row-major m × n array read as column-major, without copying.</param>
    /// <param name="columns">How many singular directions to find (at most min(m, n)).</param>
    public static TruncatedSvd Compute(Matrix<double> transposed, int columns)
    {
        var n = transposed.RowCount;
        var m = transposed.ColumnCount;
        var l = Math.Min(columns, Math.Min(m, n));

        // Dᵀ column-major is D row-major: the products read that one array.
        var d = transposed.AsColumnMajorArray() ?? transposed.ToColumnMajorArray();
        var q = Orthonormal(ThinProduct.Times(d, m, n, RandomSigns(n, l)));
        for (var i = 0; i < PowerIterations; i++)
        {
            var z = Orthonormal(ThinProduct.TransposeTimes(d, m, n, q));
            q = Orthonormal(ThinProduct.Times(d, m, n, z));
        }

        // Bᵀ = Dᵀ Q = Q₂ R₂ and R₂ = U₂ S V₂ᵀ, so B = V₂ S (Q₂ U₂)ᵀ and D ≈ Q B = (Q V₂) S (Q₂ U₂)ᵀ.
        var projected = ThinProduct.TransposeTimes(d, m, n, q).QR(QRMethod.Thin);
        var svd = projected.R.Svd(computeVectors: true);
        return new TruncatedSvd(q * svd.VT.Transpose(), svd.S.ToArray());
    }

    private static Matrix<double> Orthonormal(Matrix<double> columns) => columns.QR(QRMethod.Thin).Q;

    /// <summary>±1 entries from a fixed-seed SplitMix64: exact and the same on every machine, so the same input gives the same factors.</summary>
    private static Matrix<double> RandomSigns(int rows, int columns)
    {
        var state = 0x9E3779B97F4A7C15UL ^ ((ulong)rows << 32) ^ (ulong)columns;
        var values = new double[rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            values[i] = (z & 1) == 0 ? 1.0 : -1.0;
        }

        return Matrix<double>.Build.Dense(rows, columns, values);
    }
}
