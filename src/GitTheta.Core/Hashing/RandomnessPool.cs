namespace GitTheta.Core.Hashing;

/// <summary>
/// The fixed table of pseudo-normal projection values E2LSH uses: row <c>i mod rows</c> holds the
/// <c>k</c> hyperplane components for element <c>i</c> (git-theta's randomness pool, laid out so that
/// one element's components are contiguous and can be loaded as vectors).
/// </summary>
/// <remarks>
/// Values are generated with integer arithmetic only (SplitMix64, Irwin–Hall sum of 12 uniforms),
/// so the table is bit-identical on every machine and runtime; libm functions such as log or cos
/// may differ in the last bit between platforms and are avoided on purpose.
/// </remarks>
internal sealed class RandomnessPool
{
    public const ulong Seed = 42;

    private static readonly object CacheLock = new();
    private static RandomnessPool? cached;

    private RandomnessPool(int signatureSize, int rows)
    {
        SignatureSize = signatureSize;
        Rows = rows;
        Values = new double[checked(signatureSize * rows)];
        var state = Seed;
        for (var index = 0; index < Values.Length; index++)
        {
            long sum = 0;
            for (var u = 0; u < 12; u++)
            {
                sum += (uint)(SplitMix64(ref state) >> 32);
            }

            // sum * 2^-32 is exact and so is subtracting 6: the value needs at most 36 significant bits.
            Values[index] = (sum * (1.0 / 4294967296.0)) - 6.0;
        }
    }

    public int SignatureSize { get; }

    public int Rows { get; }

    /// <summary>Row-major: <c>Values[row * SignatureSize + j]</c>.</summary>
    internal double[] Values { get; }

    public static RandomnessPool Get(int signatureSize, int rows)
    {
        lock (CacheLock)
        {
            if (cached is null || cached.SignatureSize != signatureSize || cached.Rows != rows)
            {
                cached = new RandomnessPool(signatureSize, rows);
            }

            return cached;
        }
    }

    public double this[int row, int signatureIndex] => Values[(row * SignatureSize) + signatureIndex];

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
