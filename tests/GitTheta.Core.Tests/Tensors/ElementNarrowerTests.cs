using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Tensors;

public sealed class ElementNarrowerTests
{
    public static TheoryData<DType> AllDTypes()
    {
        var data = new TheoryData<DType>();
        foreach (var dtype in Enum.GetValues<DType>())
        {
            data.Add(dtype);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Widening_then_narrowing_gives_back_the_same_bytes(DType dtype)
    {
        var size = DTypes.SizeOf(dtype);
        var bytes = new byte[257 * size];
        new Random((int)dtype + 1).NextBytes(bytes);
        if (dtype is DType.I64 or DType.U64)
        {
            // Only integers up to 2^53 survive float64 exactly.
            var random = new Random(7);
            for (var i = 0; i < 257; i++)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(i * 8, 8), random.NextInt64(0, 1L << 52) * (dtype == DType.I64 && i % 2 == 0 ? -1 : 1));
            }
        }

        if (dtype == DType.BOOL)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }

        var values = new double[257];
        ElementConverter.ToDouble(dtype, bytes, values);
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]) || (DTypes.IsFloatingPoint(dtype) && values[i] == 0))
            {
                // NaN payloads and the sign of zero are not part of the value; compare the rest.
                values[i] = 1;
                ElementNarrower.FromDouble(dtype, values.AsSpan(i, 1), bytes.AsSpan(i * size, size));
            }
        }

        var narrowed = new byte[bytes.Length];
        ElementNarrower.FromDouble(dtype, values, narrowed);

        Assert.Equal(bytes, narrowed);
    }

    [Fact]
    public void Floats_round_to_nearest_and_integers_saturate()
    {
        var f16 = new byte[2];
        ElementNarrower.FromDouble(DType.F16, new[] { 1.0 + (1.0 / 4096) }, f16);
        Assert.Equal((Half)1.0, BitConverter.ToHalf(f16));

        var bf16 = new byte[2];
        ElementNarrower.FromDouble(DType.BF16, new[] { 1.00390625 }, bf16);
        Assert.Equal(0x3F80, BitConverter.ToUInt16(bf16));

        var i8 = new byte[3];
        ElementNarrower.FromDouble(DType.I8, new[] { 300.0, -300.0, 2.5 }, i8);
        Assert.Equal(new byte[] { 127, 128, 3 }, i8);

        var u8 = new byte[2];
        ElementNarrower.FromDouble(DType.U8, new[] { -5.0, double.NaN }, u8);
        Assert.Equal(new byte[] { 0, 0 }, u8);
    }
}
