using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Tensors;

public class TensorInfoTests
{
    [Fact]
    public void Element_count_and_byte_length_follow_shape_and_dtype()
    {
        var info = new TensorInfo("w", DType.BF16, new long[] { 3, 5, 7 });
        Assert.Equal(105, info.ElementCount);
        Assert.Equal(210, info.ByteLength);
        Assert.Equal("[3, 5, 7]", info.ShapeText);
    }

    [Fact]
    public void A_scalar_has_one_element_and_an_empty_dimension_none()
    {
        Assert.Equal(1, new TensorInfo("s", DType.F64, Array.Empty<long>()).ElementCount);
        Assert.Equal(0, new TensorInfo("e", DType.F64, new long[] { 4, 0 }).ByteLength);
    }

    [Fact]
    public void Same_layout_compares_dtype_and_shape_but_not_the_name()
    {
        var a = new TensorInfo("a", DType.F32, new long[] { 2, 3 });
        Assert.True(a.SameLayout(new TensorInfo("b", DType.F32, new List<long> { 2, 3 })));
        Assert.False(a.SameLayout(new TensorInfo("a", DType.F16, new long[] { 2, 3 })));
        Assert.False(a.SameLayout(new TensorInfo("a", DType.F32, new long[] { 3, 2 })));
        Assert.False(a.SameLayout(new TensorInfo("a", DType.F32, new long[] { 6 })));
    }

    [Fact]
    public void An_overflowing_element_count_is_an_invalid_checkpoint()
    {
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => TensorInfo.CountElements(new long[] { 1L << 40, 1L << 40 }, "w"));
    }

    [Fact]
    public void A_negative_dimension_is_an_invalid_checkpoint()
    {
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => TensorInfo.CountElements(new long[] { 2, -1 }, "w"));
    }
}
