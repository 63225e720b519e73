using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Tensors;

public class DTypesTests
{
    [Theory]
    [InlineData(DType.F64, 8)]
    [InlineData(DType.F32, 4)]
    [InlineData(DType.F16, 2)]
    [InlineData(DType.BF16, 2)]
    [InlineData(DType.F8_E4M3, 1)]
    [InlineData(DType.F8_E5M2, 1)]
    [InlineData(DType.I64, 8)]
    [InlineData(DType.I32, 4)]
    [InlineData(DType.I16, 2)]
    [InlineData(DType.I8, 1)]
    [InlineData(DType.U64, 8)]
    [InlineData(DType.U32, 4)]
    [InlineData(DType.U16, 2)]
    [InlineData(DType.U8, 1)]
    [InlineData(DType.BOOL, 1)]
    public void SizeOf_matches_the_safetensors_element_size(DType dtype, int bytes)
    {
        Assert.Equal(bytes, DTypes.SizeOf(dtype));
    }

    [Fact]
    public void SizeOf_refuses_a_value_outside_the_enum()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DTypes.SizeOf((DType)999));
    }

    [Fact]
    public void IsFloatingPoint_is_true_exactly_for_the_float_types()
    {
        var floats = Enum.GetValues<DType>().Where(DTypes.IsFloatingPoint).ToHashSet();
        Assert.Equal(new HashSet<DType> { DType.F64, DType.F32, DType.F16, DType.BF16, DType.F8_E4M3, DType.F8_E5M2 }, floats);
    }

    [Fact]
    public void Every_dtype_name_parses_back_to_itself()
    {
        foreach (var dtype in Enum.GetValues<DType>())
        {
            Assert.True(DTypes.TryParse(DTypes.Name(dtype), out var parsed), DTypes.Name(dtype));
            Assert.Equal(dtype, parsed);
            Assert.Equal(dtype, DTypes.Parse(DTypes.Name(dtype), "test"));
        }
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("Bf16")]
    [InlineData("F128")]
    [InlineData("FLOAT")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("99")]
    [InlineData("F32,I8")]
    [InlineData(" F32")]
    [InlineData("F32 ")]
    [InlineData("F64, F32")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_refuses_names_that_are_not_safetensors_dtypes(string? name)
    {
        Assert.False(DTypes.TryParse(name, out _));
    }

    [Fact]
    public void Parse_of_an_unknown_dtype_throws_GT2004_naming_it_and_where()
    {
        var exception = ThetaAssert.Throws(DiagnosticIds.UnsupportedDType, () => DTypes.Parse("F128", "model.safetensors: tensor 'w'"));
        Assert.Contains("F128", exception.Message);
        Assert.Contains("model.safetensors: tensor 'w'", exception.Message);
        Assert.Contains("BF16", exception.Message);
    }
}
