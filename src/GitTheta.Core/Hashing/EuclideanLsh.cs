using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Hashing;

/// <summary>
/// E2LSH (Datar et al. 2004) over a fixed randomness pool, defined so that a signature is the same
/// on every machine, thread count and SIMD width:
/// elements are cut into blocks of <see cref="BlockElements"/>; inside a block, even and odd elements
/// are summed into two float64 accumulators per hyperplane, strictly in element order, with separate
/// (never fused) multiply and add; block sums (even + odd) are then added in block order.
/// Vector lanes run across hyperplanes, never across elements, so the order of every addition is
/// fixed by this definition and not by the hardware.
/// </summary>
internal sealed class EuclideanLsh
{
    public const int BlockElements = 1 << 16;

    /// <summary>Elements per segment of consecutive pool rows (see <see cref="RowOf"/>); at most the pool size.</summary>
    public const int SegmentElements = 1 << SegmentShift;

    private const int SegmentShift = 12;
    private const int ConvertChunk = 4096;

    private readonly RandomnessPool pool;
    private readonly int k;

    public EuclideanLsh(int signatureSize, double bucketWidth, int poolRows)
    {
        k = signatureSize;
        BucketWidth = bucketWidth;
        pool = RandomnessPool.Get(signatureSize, poolRows);
    }

    public double BucketWidth { get; }

    /// <summary>
    /// Lets tests run the 256-bit path on a machine that has 512-bit vectors. Results never depend on it
    /// (each lane sums its own hyperplane), so flipping it while other hashes run is harmless.
    /// </summary>
    internal static bool AllowWideVectors { get; set; } = true;

    public int SignatureSize => k;

    /// <summary>Hashes a whole tensor held in memory, computing blocks in parallel.</summary>
    public LshSignature Hash(DType dtype, ReadOnlySpan<byte> data, int maxConcurrency = 1)
    {
        var blocks = (data.Length / DTypes.SizeOf(dtype) + BlockElements - 1) / BlockElements;
        var blockSums = new double[Math.Max(blocks, 1) * k];
        HashBlocks(dtype, data, 0, blockSums, maxConcurrency);
        return Finish(blockSums, blocks);
    }

    /// <summary>
    /// The sum of every block of <paramref name="data"/> (whole elements; its first has global index
    /// <paramref name="firstIndex"/>, a block boundary) into <paramref name="blockSums"/>, block after block, on up to
    /// <paramref name="maxConcurrency"/> threads: a block's sum depends on its own elements and first index only.
    /// </summary>
    private void HashBlocks(DType dtype, ReadOnlySpan<byte> data, long firstIndex, double[] blockSums, int maxConcurrency)
    {
        var elementSize = DTypes.SizeOf(dtype);
        var elements = data.Length / elementSize;
        var blocks = (elements + BlockElements - 1) / BlockElements;
        if (blocks <= 1 || maxConcurrency <= 1)
        {
            for (var b = 0; b < blocks; b++)
            {
                HashBlock(dtype, data, elementSize, elements, firstIndex, b, blockSums.AsSpan(b * k, k));
            }

            return;
        }

        unsafe
        {
            fixed (byte* pointer = data)
            {
                var address = (IntPtr)pointer;
                var length = data.Length;
                Parallel.For(
                    0,
                    blocks,
                    new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency },
                    b =>
                    {
                        var span = new ReadOnlySpan<byte>((void*)address, length);
                        HashBlock(dtype, span, elementSize, elements, firstIndex, b, blockSums.AsSpan(b * k, k));
                    });
            }
        }
    }

    /// <summary>
    /// Starts an incremental hash for data that arrives in pieces (same result as <see cref="Hash"/>); whole blocks
    /// that arrive together are computed on up to <paramref name="maxConcurrency"/> threads.
    /// </summary>
    public Incremental CreateIncremental(DType dtype, int maxConcurrency = 1) => new(this, dtype, maxConcurrency);

    private void HashBlock(DType dtype, ReadOnlySpan<byte> data, int elementSize, int elements, long firstIndex, int block, Span<double> blockSum)
    {
        var start = block * BlockElements;
        var count = Math.Min(BlockElements, elements - start);
        Span<double> even = stackalloc double[k];
        Span<double> odd = stackalloc double[k];
        even.Clear();
        odd.Clear();
        if (TryAccumulateDirect(dtype, data.Slice(start * elementSize, count * elementSize), firstIndex + start, even, odd))
        {
            for (var j = 0; j < k; j++)
            {
                blockSum[j] = even[j] + odd[j];
            }

            return;
        }

        var buffer = ArrayPool<double>.Shared.Rent(ConvertChunk);
        try
        {
            for (var offset = 0; offset < count; offset += ConvertChunk)
            {
                var n = Math.Min(ConvertChunk, count - offset);
                var values = buffer.AsSpan(0, n);
                ElementConverter.ToDouble(dtype, data.Slice((start + offset) * elementSize, n * elementSize), values);
                Accumulate(values, firstIndex + start + offset, even, odd);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        for (var j = 0; j < k; j++)
        {
            blockSum[j] = even[j] + odd[j];
        }
    }

    private LshSignature Finish(double[] blockSums, int blocks)
    {
        var totals = new double[k];
        for (var b = 0; b < blocks; b++)
        {
            for (var j = 0; j < k; j++)
            {
                totals[j] += blockSums[(b * k) + j];
            }
        }

        var signature = new long[k];
        for (var j = 0; j < k; j++)
        {
            signature[j] = ToBucket(totals[j] / BucketWidth);
        }

        return new LshSignature(signature);
    }

    private static long ToBucket(double scaled)
    {
        if (double.IsNaN(scaled))
        {
            return long.MinValue;
        }

        var floor = Math.Floor(scaled);
        if (floor >= long.MaxValue)
        {
            return long.MaxValue;
        }

        if (floor <= long.MinValue + 1d)
        {
            return long.MinValue + 1;
        }

        return (long)floor;
    }

    /// <summary>
    /// Whether this dtype is hashed straight from its bytes, each element widened to float64 inside the vector loop
    /// (for the floating-point dtypes whose widening is exact, the same doubles a conversion pass would make, so the
    /// same sums): a separate pass to convert each BF16 chunk cost as much CPU as a third of the LSH itself.
    /// </summary>
    internal bool CanAccumulateDirect(DType dtype) =>
        k == 16 && Vector256.IsHardwareAccelerated && dtype is DType.F64 or DType.F32 or DType.F16 or DType.BF16;

    /// <summary>Adds the elements in <paramref name="data"/> (whole elements of <paramref name="dtype"/>) when <see cref="CanAccumulateDirect"/>.</summary>
    internal bool TryAccumulateDirect(DType dtype, ReadOnlySpan<byte> data, long firstIndex, Span<double> even, Span<double> odd)
    {
        if (!CanAccumulateDirect(dtype))
        {
            return false;
        }

        switch (dtype)
        {
            case DType.F64:
                Accumulate16(MemoryMarshal.Cast<byte, double>(data), firstIndex, even, odd);
                break;
            case DType.F32:
                Accumulate16(MemoryMarshal.Cast<byte, float>(data), firstIndex, even, odd);
                break;
            case DType.F16:
                Accumulate16(MemoryMarshal.Cast<byte, Half>(data), firstIndex, even, odd);
                break;
            default:
                Accumulate16(MemoryMarshal.Cast<byte, BFloat16Bits>(data), firstIndex, even, odd);
                break;
        }

        return true;
    }

    /// <summary>Adds elements with global indices <paramref name="firstIndex"/>.. to the even/odd accumulators.</summary>
    internal void Accumulate(ReadOnlySpan<double> values, long firstIndex, Span<double> even, Span<double> odd)
    {
        if (k == 16 && Vector256.IsHardwareAccelerated)
        {
            Accumulate16(values, firstIndex, even, odd);
        }
        else
        {
            AccumulateScalar(values, firstIndex, even, odd);
        }
    }

    internal void AccumulateScalar(ReadOnlySpan<double> values, long firstIndex, Span<double> even, Span<double> odd)
    {
        EnsureRowsOf(firstIndex, values.Length);
        var table = pool.Values;
        for (var i = 0; i < values.Length; i++)
        {
            var index = firstIndex + i;
            var acc = (index & 1) != 0 ? odd : even;
            var x = values[i];
            var rowStart = RowOf(index) * k;
            for (var j = 0; j < k; j++)
            {
                var product = x * table[rowStart + j];
                acc[j] = acc[j] + product;
            }
        }
    }

    /// <summary>
    /// The pool row of element <paramref name="index"/>: consecutive within a segment (so rows load as
    /// vectors), starting at a pseudo-random row per segment. A plain index modulo the pool size would repeat
    /// every pool-size elements, and values moved by a multiple of that distance would hash the same.
    /// </summary>
    internal int RowOf(long index)
    {
        var segment = (ulong)(index >> SegmentShift);
        var start = Mix(segment) % (ulong)pool.Rows;
        return (int)((start + (ulong)(index & (SegmentElements - 1))) % (ulong)pool.Rows);
    }

    private static ulong Mix(ulong value)
    {
        var z = value + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Makes the pool rows of <paramref name="count"/> elements from <paramref name="firstIndex"/> ready, a segment at a time (the pool makes its rows on first use).</summary>
    private void EnsureRowsOf(long firstIndex, int count)
    {
        while (count > 0)
        {
            var n = (int)Math.Min(count, SegmentElements - (firstIndex & (SegmentElements - 1)));
            pool.EnsureRows(RowOf(firstIndex), n);
            firstIndex += n;
            count -= n;
        }
    }

    /// <summary>Splits a run of elements at segment boundaries, where the pool row jumps.</summary>
    private void Accumulate16<T>(ReadOnlySpan<T> values, long firstIndex, Span<double> even, Span<double> odd)
        where T : unmanaged
    {
        EnsureRowsOf(firstIndex, values.Length);
        var wide = AllowWideVectors && Vector512.IsHardwareAccelerated;
        while (values.Length > 0)
        {
            var n = (int)Math.Min(values.Length, SegmentElements - (firstIndex & (SegmentElements - 1)));
            var row = RowOf(firstIndex);
            if (wide)
            {
                Accumulate16Wide(values[..n], (firstIndex & 1) != 0, row, even, odd);
            }
            else
            {
                Accumulate16Narrow(values[..n], (firstIndex & 1) != 0, row, even, odd);
            }

            values = values[n..];
            firstIndex += n;
        }
    }

    private void Accumulate16Narrow<T>(ReadOnlySpan<T> values, bool startsOdd, int row, Span<double> even, Span<double> odd)
        where T : unmanaged
    {
        ref var table = ref MemoryMarshal.GetArrayDataReference(pool.Values);
        var rows = pool.Rows;
        ref var e = ref MemoryMarshal.GetReference(even);
        ref var o = ref MemoryMarshal.GetReference(odd);
        var e0 = Vector256.LoadUnsafe(ref e, 0);
        var e1 = Vector256.LoadUnsafe(ref e, 4);
        var e2 = Vector256.LoadUnsafe(ref e, 8);
        var e3 = Vector256.LoadUnsafe(ref e, 12);
        var o0 = Vector256.LoadUnsafe(ref o, 0);
        var o1 = Vector256.LoadUnsafe(ref o, 4);
        var o2 = Vector256.LoadUnsafe(ref o, 8);
        var o3 = Vector256.LoadUnsafe(ref o, 12);
        var i = 0;
        var n = values.Length;
        if (startsOdd && n > 0)
        {
            var b = Vector256.Create(Widen(values[0]));
            ref var r = ref Unsafe.Add(ref table, row * 16);
            o0 += b * Vector256.LoadUnsafe(ref r, 0);
            o1 += b * Vector256.LoadUnsafe(ref r, 4);
            o2 += b * Vector256.LoadUnsafe(ref r, 8);
            o3 += b * Vector256.LoadUnsafe(ref r, 12);
            if (++row == rows)
            {
                row = 0;
            }

            i = 1;
        }

        for (; i + 1 < n; i += 2)
        {
            var b = Vector256.Create(Widen(values[i]));
            ref var r = ref Unsafe.Add(ref table, row * 16);
            e0 += b * Vector256.LoadUnsafe(ref r, 0);
            e1 += b * Vector256.LoadUnsafe(ref r, 4);
            e2 += b * Vector256.LoadUnsafe(ref r, 8);
            e3 += b * Vector256.LoadUnsafe(ref r, 12);
            if (++row == rows)
            {
                row = 0;
            }

            b = Vector256.Create(Widen(values[i + 1]));
            r = ref Unsafe.Add(ref table, row * 16);
            o0 += b * Vector256.LoadUnsafe(ref r, 0);
            o1 += b * Vector256.LoadUnsafe(ref r, 4);
            o2 += b * Vector256.LoadUnsafe(ref r, 8);
            o3 += b * Vector256.LoadUnsafe(ref r, 12);
            if (++row == rows)
            {
                row = 0;
            }
        }

        if (i < n)
        {
            var b = Vector256.Create(Widen(values[i]));
            ref var r = ref Unsafe.Add(ref table, row * 16);
            e0 += b * Vector256.LoadUnsafe(ref r, 0);
            e1 += b * Vector256.LoadUnsafe(ref r, 4);
            e2 += b * Vector256.LoadUnsafe(ref r, 8);
            e3 += b * Vector256.LoadUnsafe(ref r, 12);
        }

        e0.StoreUnsafe(ref e, 0);
        e1.StoreUnsafe(ref e, 4);
        e2.StoreUnsafe(ref e, 8);
        e3.StoreUnsafe(ref e, 12);
        o0.StoreUnsafe(ref o, 0);
        o1.StoreUnsafe(ref o, 4);
        o2.StoreUnsafe(ref o, 8);
        o3.StoreUnsafe(ref o, 12);
    }

    /// <summary>The same arithmetic with 512-bit vectors: each lane still sums its own hyperplane in element order.</summary>
    private void Accumulate16Wide<T>(ReadOnlySpan<T> values, bool startsOdd, int row, Span<double> even, Span<double> odd)
        where T : unmanaged
    {
        ref var table = ref MemoryMarshal.GetArrayDataReference(pool.Values);
        var rows = pool.Rows;
        ref var e = ref MemoryMarshal.GetReference(even);
        ref var o = ref MemoryMarshal.GetReference(odd);
        var e0 = Vector512.LoadUnsafe(ref e, 0);
        var e1 = Vector512.LoadUnsafe(ref e, 8);
        var o0 = Vector512.LoadUnsafe(ref o, 0);
        var o1 = Vector512.LoadUnsafe(ref o, 8);
        var i = 0;
        var n = values.Length;
        if (startsOdd && n > 0)
        {
            var b = Vector512.Create(Widen(values[0]));
            ref var r = ref Unsafe.Add(ref table, row * 16);
            o0 += b * Vector512.LoadUnsafe(ref r, 0);
            o1 += b * Vector512.LoadUnsafe(ref r, 8);
            if (++row == rows)
            {
                row = 0;
            }

            i = 1;
        }

        for (; i + 1 < n; i += 2)
        {
            var b = Vector512.Create(Widen(values[i]));
            ref var r = ref Unsafe.Add(ref table, row * 16);
            e0 += b * Vector512.LoadUnsafe(ref r, 0);
            e1 += b * Vector512.LoadUnsafe(ref r, 8);
            if (++row == rows)
            {
                row = 0;
            }

            b = Vector512.Create(Widen(values[i + 1]));
            r = ref Unsafe.Add(ref table, row * 16);
            o0 += b * Vector512.LoadUnsafe(ref r, 0);
            o1 += b * Vector512.LoadUnsafe(ref r, 8);
            if (++row == rows)
            {
                row = 0;
            }
        }

        if (i < n)
        {
            var b = Vector512.Create(Widen(values[i]));
            ref var r = ref Unsafe.Add(ref table, row * 16);
            e0 += b * Vector512.LoadUnsafe(ref r, 0);
            e1 += b * Vector512.LoadUnsafe(ref r, 8);
        }

        e0.StoreUnsafe(ref e, 0);
        e1.StoreUnsafe(ref e, 8);
        o0.StoreUnsafe(ref o, 0);
        o1.StoreUnsafe(ref o, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Widen<T>(T value)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Unsafe.As<T, float>(ref value);
        }

        if (typeof(T) == typeof(BFloat16Bits))
        {
            // ElementConverter's conversion: the upper half of a float32.
            return BitConverter.Int32BitsToSingle(Unsafe.As<T, ushort>(ref value) << 16);
        }

        if (typeof(T) == typeof(Half))
        {
            return (double)Unsafe.As<T, Half>(ref value);
        }

        return Unsafe.As<T, double>(ref value);
    }

    /// <summary>A bfloat16 element's bits, to tell it from a U16 element in <see cref="Widen{T}"/>.</summary>
    private readonly struct BFloat16Bits
    {
        public readonly ushort Bits;

        public BFloat16Bits(ushort bits) => Bits = bits;
    }

    /// <summary>Hash state for data that arrives piece by piece; pieces may split elements.</summary>
    public sealed class Incremental
    {
        private readonly EuclideanLsh owner;
        private readonly DType dtype;
        private readonly int elementSize;
        private readonly double[] even;
        private readonly double[] odd;
        private readonly List<double> blockSums = new();
        private readonly byte[] partial;
        private readonly double[] converted = new double[ConvertChunk];
        private readonly int maxConcurrency;
        private int partialLength;
        private long elementIndex;

        internal Incremental(EuclideanLsh owner, DType dtype, int maxConcurrency)
        {
            this.owner = owner;
            this.dtype = dtype;
            this.maxConcurrency = maxConcurrency;
            elementSize = DTypes.SizeOf(dtype);
            even = new double[owner.k];
            odd = new double[owner.k];
            partial = new byte[elementSize];
        }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (partialLength > 0)
            {
                var take = Math.Min(elementSize - partialLength, data.Length);
                data[..take].CopyTo(partial.AsSpan(partialLength));
                partialLength += take;
                data = data[take..];
                if (partialLength < elementSize)
                {
                    return;
                }

                AppendWhole(partial);
                partialLength = 0;
            }

            var whole = data.Length / elementSize * elementSize;
            AppendWhole(data[..whole]);
            data[whole..].CopyTo(partial);
            partialLength = data.Length - whole;
        }

        public LshSignature Complete()
        {
            if (elementIndex % BlockElements != 0 || elementIndex == 0)
            {
                CloseBlock();
            }

            var sums = blockSums.ToArray();
            return owner.Finish(sums, sums.Length / owner.k);
        }

        private void AppendWhole(ReadOnlySpan<byte> data)
        {
            var elements = data.Length / elementSize;
            var done = 0;
            var direct = owner.CanAccumulateDirect(dtype);
            while (done < elements)
            {
                if (direct && maxConcurrency > 1 && elementIndex % BlockElements == 0 && (elements - done) / BlockElements >= 2)
                {
                    var blocks = (elements - done) / BlockElements;
                    AppendBlocks(data.Slice(done * elementSize, blocks * BlockElements * elementSize), blocks);
                    done += blocks * BlockElements;
                    elementIndex += (long)blocks * BlockElements;
                    continue;
                }

                var untilBlockEnd = BlockElements - (int)(elementIndex % BlockElements);
                var n = Math.Min(direct ? untilBlockEnd : Math.Min(ConvertChunk, untilBlockEnd), elements - done);
                if (!owner.TryAccumulateDirect(dtype, data.Slice(done * elementSize, n * elementSize), elementIndex, even, odd))
                {
                    var values = converted.AsSpan(0, n);
                    ElementConverter.ToDouble(dtype, data.Slice(done * elementSize, n * elementSize), values);
                    owner.Accumulate(values, elementIndex, even, odd);
                }

                elementIndex += n;
                done += n;
                if (elementIndex % BlockElements == 0)
                {
                    CloseBlock();
                }
            }
        }

        /// <summary>
        /// Whole blocks, starting at a block boundary, computed in parallel and kept in block order, so the result is
        /// the one-thread result. A large group's LSH was the one thread the others waited for.
        /// </summary>
        private void AppendBlocks(ReadOnlySpan<byte> data, int blocks)
        {
            var sums = new double[blocks * owner.k];
            owner.HashBlocks(dtype, data, elementIndex, sums, maxConcurrency);
            blockSums.AddRange(sums);
        }

        private void CloseBlock()
        {
            for (var j = 0; j < owner.k; j++)
            {
                blockSums.Add(even[j] + odd[j]);
            }

            Array.Clear(even);
            Array.Clear(odd);
        }
    }
}
