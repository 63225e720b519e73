using System.Buffers.Binary;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Tensors;

public class ElementConverterTests
{
    private static double[] Convert(DType dtype, byte[] bytes)
    {
        var result = new double[bytes.Length / DTypes.SizeOf(dtype)];
        ElementConverter.ToDouble(dtype, bytes, result);
        return result;
    }

    private static double Convert16(DType dtype, ushort bits)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, bits);
        return Convert(dtype, bytes)[0];
    }

    private static double Convert8(DType dtype, byte bits) => Convert(dtype, new[] { bits })[0];

    [Theory]
    [InlineData((ushort)0x3F80, 1.0)]
    [InlineData((ushort)0xC000, -2.0)]
    [InlineData((ushort)0x3E80, 0.25)]
    [InlineData((ushort)0x4049, 3.140625)]
    [InlineData((ushort)0x7F7F, 3.3895313892515355e38)]
    [InlineData((ushort)0x0080, 1.1754943508222875e-38)]
    [InlineData((ushort)0x0001, 9.183549615799121e-41)]
    [InlineData((ushort)0x7F80, double.PositiveInfinity)]
    [InlineData((ushort)0xFF80, double.NegativeInfinity)]
    public void BF16_known_bit_patterns(ushort bits, double expected)
    {
        Assert.Equal(expected, Convert16(DType.BF16, bits));
    }

    [Fact]
    public void BF16_negative_zero_and_NaN()
    {
        var negativeZero = Convert16(DType.BF16, 0x8000);
        Assert.Equal(0.0, negativeZero);
        Assert.True(double.IsNegative(negativeZero));
        Assert.True(double.IsNaN(Convert16(DType.BF16, 0x7FC0)));
        Assert.True(double.IsNaN(Convert16(DType.BF16, 0xFFC1)));
    }

    [Theory]
    [InlineData((ushort)0x3C00, 1.0)]
    [InlineData((ushort)0xC000, -2.0)]
    [InlineData((ushort)0x3555, 0.333251953125)]
    [InlineData((ushort)0x7BFF, 65504.0)]
    [InlineData((ushort)0x0400, 6.103515625e-05)]
    [InlineData((ushort)0x0001, 5.960464477539063e-08)]
    [InlineData((ushort)0x7C00, double.PositiveInfinity)]
    [InlineData((ushort)0xFC00, double.NegativeInfinity)]
    public void F16_known_bit_patterns(ushort bits, double expected)
    {
        Assert.Equal(expected, Convert16(DType.F16, bits));
    }

    [Fact]
    public void F16_NaN_and_negative_zero()
    {
        Assert.True(double.IsNaN(Convert16(DType.F16, 0x7E00)));
        Assert.True(double.IsNaN(Convert16(DType.F16, 0x7C01)));
        Assert.True(double.IsNegative(Convert16(DType.F16, 0x8000)));
    }

    [Theory]
    [InlineData((byte)0x38, 1.0)]
    [InlineData((byte)0xB8, -1.0)]
    [InlineData((byte)0x40, 2.0)]
    [InlineData((byte)0x3C, 1.5)]
    [InlineData((byte)0x7E, 448.0)]
    [InlineData((byte)0xFE, -448.0)]
    [InlineData((byte)0x78, 256.0)]
    [InlineData((byte)0x08, 0.015625)]
    [InlineData((byte)0x01, 0.001953125)]
    [InlineData((byte)0x07, 0.013671875)]
    [InlineData((byte)0x00, 0.0)]
    public void F8_E4M3_known_bit_patterns(byte bits, double expected)
    {
        Assert.Equal(expected, Convert8(DType.F8_E4M3, bits));
    }

    [Fact]
    public void F8_E4M3_has_no_infinity_and_only_S1111111_is_NaN()
    {
        var values = Enumerable.Range(0, 256).Select(b => Convert8(DType.F8_E4M3, (byte)b)).ToArray();
        Assert.DoesNotContain(values, double.IsInfinity);
        Assert.Equal(new[] { 0x7F, 0xFF }, Enumerable.Range(0, 256).Where(b => double.IsNaN(values[b])));
        Assert.True(double.IsNegative(values[0x80]));
    }

    [Theory]
    [InlineData((byte)0x3C, 1.0)]
    [InlineData((byte)0xBC, -1.0)]
    [InlineData((byte)0x40, 2.0)]
    [InlineData((byte)0x3E, 1.5)]
    [InlineData((byte)0x7B, 57344.0)]
    [InlineData((byte)0x04, 6.103515625e-05)]
    [InlineData((byte)0x01, 1.52587890625e-05)]
    [InlineData((byte)0x03, 4.57763671875e-05)]
    [InlineData((byte)0x7C, double.PositiveInfinity)]
    [InlineData((byte)0xFC, double.NegativeInfinity)]
    public void F8_E5M2_known_bit_patterns(byte bits, double expected)
    {
        Assert.Equal(expected, Convert8(DType.F8_E5M2, bits));
    }

    [Fact]
    public void F8_E5M2_NaNs_are_the_all_ones_exponent_with_a_mantissa()
    {
        var nans = Enumerable.Range(0, 256).Where(b => double.IsNaN(Convert8(DType.F8_E5M2, (byte)b)));
        Assert.Equal(new[] { 0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF }, nans);
    }

    [Fact]
    public void F8_E5M2_agrees_with_F16_whose_low_byte_is_zero()
    {
        // E5M2 is the top byte of an IEEE half.
        for (var b = 0; b < 256; b++)
        {
            var f8 = Convert8(DType.F8_E5M2, (byte)b);
            var f16 = Convert16(DType.F16, (ushort)(b << 8));
            Assert.Equal(f16, f8);
        }
    }

    [Fact]
    public void F64_and_F32_convert_exactly()
    {
        var doubles = new[] { 0.1, -1e300, double.Epsilon, double.MaxValue };
        Assert.Equal(doubles, Convert(DType.F64, TestData.Bytes(doubles)));
        var floats = new[] { 0.1f, -3.4e38f, float.Epsilon, 16777217f };
        Assert.Equal(floats.Select(f => (double)f), Convert(DType.F32, TestData.Bytes(floats)));
    }

    [Fact]
    public void Signed_integers_convert_with_their_sign()
    {
        Assert.Equal(new[] { -1.0, -128.0, 127.0, 0.0 }, Convert(DType.I8, new byte[] { 0xFF, 0x80, 0x7F, 0x00 }));
        Assert.Equal(new[] { -1.0, short.MinValue, short.MaxValue }, Convert(DType.I16, TestData.Bytes(new short[] { -1, short.MinValue, short.MaxValue })));
        Assert.Equal(new[] { -1.0, int.MinValue, int.MaxValue }, Convert(DType.I32, TestData.Bytes(new[] { -1, int.MinValue, int.MaxValue })));
        Assert.Equal(new[] { -1.0, long.MinValue, 1L << 53 }, Convert(DType.I64, TestData.Bytes(new[] { -1L, long.MinValue, 1L << 53 })));
    }

    [Fact]
    public void Unsigned_integers_convert_without_a_sign()
    {
        Assert.Equal(new[] { 255.0, 128.0, 1.0 }, Convert(DType.U8, new byte[] { 0xFF, 0x80, 0x01 }));
        Assert.Equal(new[] { 65535.0, 32768.0 }, Convert(DType.U16, TestData.Bytes(new ushort[] { ushort.MaxValue, 0x8000 })));
        Assert.Equal(new[] { 4294967295.0, 2147483648.0 }, Convert(DType.U32, TestData.Bytes(new[] { uint.MaxValue, 0x80000000u })));
        Assert.Equal(new[] { 18446744073709551615.0, 9223372036854775808.0 }, Convert(DType.U64, TestData.Bytes(new[] { ulong.MaxValue, 1UL << 63 })));
    }

    [Fact]
    public void Bool_is_one_for_any_nonzero_byte()
    {
        Assert.Equal(new[] { 0.0, 1.0, 1.0, 1.0 }, Convert(DType.BOOL, new byte[] { 0, 1, 2, 0xFF }));
    }

    [Fact]
    public void Converts_only_as_many_elements_as_the_destination_holds()
    {
        var source = TestData.Bytes(new[] { 1f, 2f, 3f, 4f });
        var destination = new[] { -7.0, -7.0 };
        ElementConverter.ToDouble(DType.F32, source, destination);
        Assert.Equal(new[] { 1.0, 2.0 }, destination);
    }
}
