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

    /// <summary>Rows are generated in blocks of this many, the first time an element needs one of them.</summary>
    private const int BlockRows = 256;

    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private readonly object generateLock = new();
    private readonly bool[] generated;

    private RandomnessPool(int signatureSize, int rows)
    {
        SignatureSize = signatureSize;
        Rows = rows;
        Values = GC.AllocateUninitializedArray<double>(checked(signatureSize * rows));
        generated = new bool[(rows + BlockRows - 1) / BlockRows];
    }

    public int SignatureSize { get; }

    public int Rows { get; }

    /// <summary>Row-major: <c>Values[row * SignatureSize + j]</c>; a row holds its values once <see cref="EnsureRows"/> covered it.</summary>
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

    public double this[int row, int signatureIndex]
    {
        get
        {
            EnsureRows(row, 1);
            return Values[(row * SignatureSize) + signatureIndex];
        }
    }

    /// <summary>
    /// Makes sure rows <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="count"/> - 1 (modulo
    /// <see cref="Rows"/>) hold their values. The whole table takes 3 million SplitMix64 steps, several milliseconds
    /// that every process paid at start even to clean a 64-element bias; a value's generator state is known from its
    /// index alone (SplitMix64 adds a constant per step), so any block of rows can be made on its own, in any order,
    /// with the same bits as the whole table made in one pass.
    /// </summary>
    public void EnsureRows(int firstRow, int count)
    {
        if (count >= Rows)
        {
            EnsureRange(0, Rows);
            return;
        }

        var end = firstRow + count;
        if (end <= Rows)
        {
            EnsureRange(firstRow, end);
        }
        else
        {
            EnsureRange(firstRow, Rows);
            EnsureRange(0, end - Rows);
        }
    }

    private void EnsureRange(int firstRow, int endRow)
    {
        for (var block = firstRow / BlockRows; block <= (endRow - 1) / BlockRows; block++)
        {
            if (!Volatile.Read(ref generated[block]))
            {
                Generate(block);
            }
        }
    }

    private void Generate(int block)
    {
        lock (generateLock)
        {
            if (generated[block])
            {
                return;
            }

            var start = block * BlockRows * SignatureSize;
            var end = Math.Min(Values.Length, start + (BlockRows * SignatureSize));
            var state = unchecked(Seed + ((ulong)start * 12 * Gamma));
            for (var index = start; index < end; index++)
            {
                long sum = 0;
                for (var u = 0; u < 12; u++)
                {
                    sum += (uint)(SplitMix64(ref state) >> 32);
                }

                // sum * 2^-32 is exact and so is subtracting 6: the value needs at most 36 significant bits.
                Values[index] = (sum * (1.0 / 4294967296.0)) - 6.0;
            }

            Volatile.Write(ref generated[block], true);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += Gamma;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
