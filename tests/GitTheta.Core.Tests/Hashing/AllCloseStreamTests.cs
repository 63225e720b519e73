using GitTheta.Core.Hashing;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Hashing;

public class AllCloseStreamTests
{
    private const double Atol = 1e-8;
    private const double Rtol = 1e-5;

    private static bool WriteInPieces(byte[] expected, byte[] written, int seed, DType dtype = DType.F32)
    {
        var stream = new AllCloseStream(dtype, expected, Atol, Rtol);
        var random = new Random(seed);
        for (var offset = 0; offset < written.Length;)
        {
            var piece = Math.Min(written.Length - offset, random.Next(1, 100_000));
            if (random.Next(2) == 0)
            {
                stream.Write(written, offset, piece);
            }
            else
            {
                stream.Write(written.AsSpan(offset, piece));
            }

            offset += piece;
        }

        return stream.Finish();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(300_001)]
    public void The_same_value_written_in_odd_pieces_is_close(int elements)
    {
        var value = TestData.RandomF32Bytes(elements, elements);
        Assert.True(WriteInPieces(value, value.ToArray(), elements));
    }

    [Fact]
    public void Noise_within_tolerance_is_close()
    {
        var value = TestData.RandomFloats(1, 200_000);
        var noisy = value.Select(v => MathF.BitIncrement(v)).ToArray();
        Assert.True(WriteInPieces(TestData.Bytes(value), TestData.Bytes(noisy), 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(199_999)]
    public void A_difference_in_any_chunk_including_the_tail_is_not_close(int index)
    {
        var value = TestData.RandomFloats(2, 200_000);
        var changed = value.ToArray();
        changed[index] += 1e-3f;
        Assert.False(WriteInPieces(TestData.Bytes(value), TestData.Bytes(changed), index));
    }

    [Fact]
    public void Fewer_bytes_than_expected_is_not_close()
    {
        var value = TestData.RandomF32Bytes(3, 1000);
        Assert.False(WriteInPieces(value, value[..^4], 3));
    }

    [Fact]
    public void More_bytes_than_expected_is_not_close()
    {
        var value = TestData.RandomF32Bytes(4, 1000);
        Assert.False(WriteInPieces(value, value.Concat(value[..4]).ToArray(), 4));
        var big = TestData.RandomF32Bytes(5, 70_000);
        Assert.False(WriteInPieces(big[..(65_536 * 4)], big, 5));
    }

    [Fact]
    public void IsClose_turns_false_as_soon_as_a_full_chunk_differs()
    {
        var value = TestData.RandomF32Bytes(6, 100_000);
        var stream = new AllCloseStream(DType.F32, value, Atol, Rtol);
        Assert.True(stream.IsClose);
        var changed = value.ToArray();
        changed[3] ^= 0x40;
        stream.Write(changed.AsSpan(0, 65_536 * 4));
        Assert.False(stream.IsClose);
        stream.Write(value.AsSpan(65_536 * 4));
        Assert.False(stream.Finish());
    }

    [Fact]
    public void NaN_written_where_NaN_is_expected_is_close()
    {
        var value = TestData.Bytes(new[] { float.NaN, 1f, float.NaN });
        Assert.True(WriteInPieces(value, value.ToArray(), 7));
    }

    [Fact]
    public void Is_a_write_only_stream()
    {
        var stream = new AllCloseStream(DType.U8, new byte[4], Atol, Rtol);
        Assert.True(stream.CanWrite);
        Assert.False(stream.CanRead);
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Read(new byte[1], 0, 1));
        stream.Write(new byte[3]);
        stream.Finish();
        Assert.Equal(3, stream.Length);
    }
}
