using System.Runtime.InteropServices;
using GitTheta.Core.Hashing;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Hashing;

public class EuclideanLshTests
{
    private const int K = 16;
    private const double Width = 1e-8;
    private const int Rows = 16_384;
    private const double Threshold = 1e-6;

    private static readonly EuclideanLsh Lsh = new(K, Width, Rows);

    // Distinct on purpose: xunit silently drops a repeated theory case, so a duplicate here is a boundary
    // that looks tested and is not (65,537 was once listed twice, as a literal and as BlockElements + 1).
    private static readonly int[] LengthCases =
    {
        0, 1, 2, 3, 5, 17, 4095, 4096, 4097, Rows - 1, Rows, Rows + 1,
        EuclideanLsh.BlockElements - 1, EuclideanLsh.BlockElements, EuclideanLsh.BlockElements + 1, (2 * EuclideanLsh.BlockElements) + 3,
    };

    public static TheoryData<int> Lengths() => new(LengthCases);

    [Fact]
    public void The_length_cases_are_distinct_so_xunit_runs_every_one()
    {
        Assert.Equal(LengthCases.Length, LengthCases.Distinct().Count());
    }

    [Fact]
    public void Golden_signature_of_a_fixed_tensor()
    {
        // Pinned once: a change here changes every stored signature (the on-disk format).
        var values = new float[5000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((i * 7919 % 1000) - 500) / 1000f;
        }

        var signature = Lsh.Hash(DType.F32, MemoryMarshal.AsBytes(values.AsSpan()));
        Assert.Equal(
            new long[] { 3154012565, 1015306826, -730511369, -4456793220, -923026823, -297737307, 1924599891, -1837470261, 3510611604, 1134418127, 1981160554, -4573884111, 1496368377, 1356631057, -2297436749, -704289451 },
            signature.Values);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Hash_matches_the_reference_definition(int length)
    {
        var values = TestData.RandomDoubles(length, length);
        var signature = Lsh.Hash(DType.F64, MemoryMarshal.AsBytes(values.AsSpan()));
        Assert.Equal(ReferenceLsh.Hash(values, K, Width, Rows), signature.Values);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void A_signature_accumulated_by_the_scalar_path_equals_the_vectorised_Hash(int length)
    {
        var values = TestData.RandomDoubles(length + 3, length, scale: 1e-2);
        var totals = new double[K];
        for (var start = 0; start < length; start += EuclideanLsh.BlockElements)
        {
            var even = new double[K];
            var odd = new double[K];
            var count = Math.Min(EuclideanLsh.BlockElements, length - start);
            Lsh.AccumulateScalar(values.AsSpan(start, count), start, even, odd);
            for (var j = 0; j < K; j++)
            {
                totals[j] += even[j] + odd[j];
            }
        }

        var scalar = totals.Select(t => (long)Math.Floor(t / Width)).ToArray();
        Assert.Equal(scalar, Lsh.Hash(DType.F64, MemoryMarshal.AsBytes(values.AsSpan()), maxConcurrency: 2).Values);
    }

    [Fact]
    public void The_hash_of_nothing_is_all_zero_buckets()
    {
        Assert.Equal(new long[K], Lsh.Hash(DType.F32, ReadOnlySpan<byte>.Empty).Values);
        Assert.Equal(new long[K], Lsh.Hash(DType.F32, new byte[64]).Values);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 16_383)]
    [InlineData(31, 16_383)]
    [InlineData(33, 32_766)]
    [InlineData(4097, 5)]
    [InlineData(70_001, 12_345)]
    [InlineData(9, 5_000_000_001)]
    public void Vectorised_and_scalar_accumulation_are_bit_identical(int length, long firstIndex)
    {
        var values = TestData.RandomDoubles(length + 11, length, scale: 1e-3);
        var random = new Random(length);
        var startEven = Enumerable.Range(0, K).Select(_ => random.NextDouble()).ToArray();
        var startOdd = Enumerable.Range(0, K).Select(_ => -random.NextDouble()).ToArray();

        var scalarEven = startEven.ToArray();
        var scalarOdd = startOdd.ToArray();
        Lsh.AccumulateScalar(values, firstIndex, scalarEven, scalarOdd);
        foreach (var wide in new[] { true, false })
        {
            EuclideanLsh.AllowWideVectors = wide;
            try
            {
                var fastEven = startEven.ToArray();
                var fastOdd = startOdd.ToArray();
                Lsh.Accumulate(values, firstIndex, fastEven, fastOdd);
                Assert.Equal(scalarEven.Select(BitConverter.DoubleToInt64Bits), fastEven.Select(BitConverter.DoubleToInt64Bits));
                Assert.Equal(scalarOdd.Select(BitConverter.DoubleToInt64Bits), fastOdd.Select(BitConverter.DoubleToInt64Bits));

                var floats = values.Select(v => (float)v).ToArray();
                Assert.Equal(
                    Lsh.Hash(DType.F64, MemoryMarshal.AsBytes(floats.Select(f => (double)f).ToArray().AsSpan())).Values,
                    Lsh.Hash(DType.F32, MemoryMarshal.AsBytes(floats.AsSpan())).Values);
            }
            finally
            {
                EuclideanLsh.AllowWideVectors = true;
            }
        }
        if (length > 2)
        {
            Assert.NotEqual(startEven, scalarEven);
            Assert.NotEqual(startOdd, scalarOdd);
        }
    }

    [Fact]
    public void Accumulation_puts_even_and_odd_global_indices_in_their_own_accumulator()
    {
        var even = new double[K];
        var odd = new double[K];
        Lsh.Accumulate(new[] { 1.0 }, 3, even, odd);
        Assert.Equal(new double[K], even);
        Assert.Equal(Enumerable.Range(0, K).Select(j => RandomnessPool.Get(K, Rows)[Lsh.RowOf(3), j]), odd);
    }

    [Fact]
    public void Rows_run_consecutively_within_a_segment_and_jump_between_segments()
    {
        var first = Lsh.RowOf(0);
        Assert.Equal((first + 1) % Rows, Lsh.RowOf(1));
        Assert.Equal((first + EuclideanLsh.SegmentElements - 1) % Rows, Lsh.RowOf(EuclideanLsh.SegmentElements - 1));
        var starts = Enumerable.Range(0, 64).Select(s => Lsh.RowOf((long)s * EuclideanLsh.SegmentElements)).ToList();
        Assert.True(starts.Distinct().Count() > 60, "segment starts should look random");
    }

    [Fact]
    public void Values_moved_by_a_multiple_of_the_pool_size_change_the_signature()
    {
        // A plain index-modulo-pool mapping would make this swap invisible.
        var values = TestData.RandomDoubles(3, 4 * Rows, scale: 1e-2);
        var swapped = values.ToArray();
        (swapped[10], swapped[10 + Rows]) = (swapped[10 + Rows], swapped[10]);
        var before = Lsh.Hash(DType.F64, MemoryMarshal.AsBytes(values.AsSpan()));
        var after = Lsh.Hash(DType.F64, MemoryMarshal.AsBytes(swapped.AsSpan()));
        Assert.True(before.DistanceTo(after, Width) > 1e-6);
    }

    [Fact]
    public void Hash_does_not_depend_on_the_number_of_threads()
    {
        var bytes = TestData.RandomF32Bytes(5, (3 * EuclideanLsh.BlockElements) + (EuclideanLsh.BlockElements / 2));
        var one = Lsh.Hash(DType.F32, bytes, maxConcurrency: 1);
        var four = Lsh.Hash(DType.F32, bytes, maxConcurrency: 4);
        var two = Lsh.Hash(DType.F32, bytes, maxConcurrency: 2);
        Assert.Equal(one, four);
        Assert.Equal(one, two);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Incremental_hash_in_random_pieces_equals_Hash(int length)
    {
        foreach (var dtype in new[] { DType.F32, DType.BF16, DType.F64, DType.I8 })
        {
            var bytes = FiniteData(dtype, length, seed: length);
            var expected = Lsh.Hash(dtype, bytes);
            var incremental = Lsh.CreateIncremental(dtype);
            var random = new Random(length + (int)dtype);
            var maxPiece = length > 100_000 ? 300_000 : 40;
            for (var offset = 0; offset < bytes.Length;)
            {
                var piece = Math.Min(bytes.Length - offset, random.Next(0, maxPiece));
                incremental.Append(bytes.AsSpan(offset, piece));
                offset += piece;
            }

            Assert.Equal(expected, incremental.Complete());
        }
    }

    [Fact]
    public void Incremental_hash_one_byte_at_a_time_equals_Hash()
    {
        var bytes = FiniteData(DType.F64, 1001, seed: 9);
        var incremental = Lsh.CreateIncremental(DType.F64);
        foreach (var b in bytes)
        {
            incremental.Append(new[] { b });
        }

        Assert.Equal(Lsh.Hash(DType.F64, bytes), incremental.Complete());
    }

    [Fact]
    public void Incremental_hash_of_nothing_equals_Hash_of_nothing()
    {
        Assert.Equal(Lsh.Hash(DType.BF16, ReadOnlySpan<byte>.Empty), Lsh.CreateIncremental(DType.BF16).Complete());
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Every_dtype_hashes_by_its_value(DType dtype)
    {
        var bytes = FiniteData(dtype, 999, seed: (int)dtype);
        var values = new double[999];
        ElementConverter.ToDouble(dtype, bytes, values);

        var signature = Lsh.Hash(dtype, bytes);

        Assert.Equal(K, signature.Values.Count);
        Assert.Equal(ReferenceLsh.Hash(values, K, Width, Rows), signature.Values);
        var incremental = Lsh.CreateIncremental(dtype);
        incremental.Append(bytes);
        Assert.Equal(signature, incremental.Complete());

    }

    [Theory]
    [InlineData(DType.F64)]
    [InlineData(DType.F32)]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    public void Floats_widened_inside_the_loop_hash_as_the_reference_across_blocks_and_segments(DType dtype)
    {
        // Three blocks of 65,536 elements and many 4,096-element segments, odd in length, with some of the dtype's special
        // values among them (a large value, a subnormal, minus zero): the widening in the vector loop must give
        // the doubles the converter gives.
        const int Length = 140_001;
        var bytes = FiniteData(dtype, Length, seed: 77);
        var size = DTypes.SizeOf(dtype);
        var specials = dtype switch
        {
            DType.F16 => new[] { BitConverter.GetBytes((ushort)0x7BFF), BitConverter.GetBytes((ushort)0x0001), BitConverter.GetBytes((ushort)0x8000) },
            DType.BF16 => new[] { BitConverter.GetBytes((ushort)0xC2F7), BitConverter.GetBytes((ushort)0x0001), BitConverter.GetBytes((ushort)0x8000) },
            DType.F32 => new[] { BitConverter.GetBytes(float.Epsilon), BitConverter.GetBytes(-0f) },
            _ => new[] { BitConverter.GetBytes(double.Epsilon), BitConverter.GetBytes(-0d) },
        };
        for (var i = 0; i < specials.Length; i++)
        {
            specials[i].CopyTo(bytes, (65_535 + (4_097 * i)) * size);
        }

        var values = new double[Length];
        ElementConverter.ToDouble(dtype, bytes, values);
        var expected = ReferenceLsh.Hash(values, K, Width, Rows);

        Assert.Equal(expected, Lsh.Hash(dtype, bytes).Values);
        Assert.Equal(expected, Lsh.Hash(dtype, bytes, maxConcurrency: 2).Values);
        var incremental = Lsh.CreateIncremental(dtype);
        for (var offset = 0; offset < bytes.Length; offset += 10_007)
        {
            incremental.Append(bytes.AsSpan(offset, Math.Min(10_007, bytes.Length - offset)));
        }

        Assert.Equal(expected, incremental.Complete().Values);

        // Whole blocks that arrive together are computed in parallel, in one piece or after an unaligned start.
        var whole = Lsh.CreateIncremental(dtype, maxConcurrency: 4);
        whole.Append(bytes);
        Assert.Equal(expected, whole.Complete().Values);
        var unaligned = Lsh.CreateIncremental(dtype, maxConcurrency: 4);
        unaligned.Append(bytes.AsSpan(0, (3 * size) + 1));
        unaligned.Append(bytes.AsSpan((3 * size) + 1));
        Assert.Equal(expected, unaligned.Complete().Values);
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void A_single_one_among_zeros_hashes_to_its_pool_row_over_the_width(DType dtype)
    {
        var bytes = new byte[10 * DTypes.SizeOf(dtype)];
        Assert.Equal(new long[K], Lsh.Hash(dtype, bytes).Values);
        One(dtype).CopyTo(bytes, 0);
        var pool = RandomnessPool.Get(K, Rows);
        Assert.Equal(Enumerable.Range(0, K).Select(j => (long)Math.Floor(pool[Lsh.RowOf(0), j] / Width)), Lsh.Hash(dtype, bytes).Values);
    }

    private static byte[] One(DType dtype) => dtype switch
    {
        DType.F64 => BitConverter.GetBytes(1.0),
        DType.F32 => BitConverter.GetBytes(1.0f),
        DType.F16 => BitConverter.GetBytes((ushort)0x3C00),
        DType.BF16 => BitConverter.GetBytes((ushort)0x3F80),
        DType.F8_E4M3 => new byte[] { 0x38 },
        DType.F8_E5M2 => new byte[] { 0x3C },
        _ => new byte[] { 1 },
    };

    public static TheoryData<DType> AllDTypes()
    {
        var data = new TheoryData<DType>();
        foreach (var dtype in Enum.GetValues<DType>())
        {
            data.Add(dtype);
        }

        return data;
    }

    [Fact]
    public void A_few_one_ulp_changes_of_small_values_stay_under_the_threshold()
    {
        var values = TestData.RandomFloats(21, 10_000, scale: 1e-3);
        var changed = values.ToArray();
        foreach (var i in new[] { 0, 17, 4_096, 5_555, 9_999 })
        {
            changed[i] = MathF.BitIncrement(changed[i]);
        }

        var before = Lsh.Hash(DType.F32, TestData.Bytes(values));
        var after = Lsh.Hash(DType.F32, TestData.Bytes(changed));

        Assert.InRange(before.DistanceTo(after, Width), 0, Threshold / 10);
    }

    [Fact]
    public void Changing_every_element_by_a_thousandth_is_far_over_the_threshold()
    {
        var values = TestData.RandomFloats(22, 10_000, scale: 1e-3);
        var changed = values.Select(v => v + 1e-3f).ToArray();

        var distance = Lsh.Hash(DType.F32, TestData.Bytes(values)).DistanceTo(Lsh.Hash(DType.F32, TestData.Bytes(changed)), Width);

        Assert.True(distance > Threshold * 1000, $"distance {distance}");
    }

    [Fact]
    public void The_same_data_is_at_distance_zero()
    {
        var bytes = TestData.RandomF32Bytes(23, 777);
        Assert.Equal(0, Lsh.Hash(DType.F32, bytes).DistanceTo(Lsh.Hash(DType.F32, bytes.ToArray()), Width));
    }

    [Fact]
    public void Non_finite_values_give_defined_buckets()
    {
        var signature = Lsh.Hash(DType.F64, TestData.Bytes(new[] { double.NaN, 1.0 }));
        Assert.All(signature.Values, v => Assert.Equal(long.MinValue, v));
        var huge = Lsh.Hash(DType.F64, TestData.Bytes(new[] { 1e300 }));
        Assert.All(huge.Values, v => Assert.True(v is long.MaxValue or long.MinValue + 1));
    }

    [Fact]
    public void Exposes_its_parameters()
    {
        var lsh = new EuclideanLsh(8, 0.5, 100);
        Assert.Equal(8, lsh.SignatureSize);
        Assert.Equal(0.5, lsh.BucketWidth);
        Assert.Equal(8, lsh.Hash(DType.F32, new byte[40]).Values.Count);
    }

    /// <summary>Random elements of <paramref name="dtype"/> that are all finite (no NaN or infinity bit patterns).</summary>
    private static byte[] FiniteData(DType dtype, int count, int seed)
    {
        var bytes = TestData.RandomBytes(seed, count * DTypes.SizeOf(dtype));
        var values = new double[count];
        ElementConverter.ToDouble(dtype, bytes, values);
        var size = DTypes.SizeOf(dtype);
        for (var i = 0; i < count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                // Clearing the top exponent bit of the element makes it finite in every float format.
                bytes[((i + 1) * size) - 1] &= 0b1011_1111;
            }
        }

        ElementConverter.ToDouble(dtype, bytes, values);
        Assert.All(values, v => Assert.True(double.IsFinite(v)));
        return bytes;
    }
}
