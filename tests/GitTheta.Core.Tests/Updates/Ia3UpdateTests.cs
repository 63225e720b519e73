using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class Ia3UpdateTests : IDisposable
{
    private readonly UpdateFixture fixture = new();
    private readonly Ia3Update ia3 = new();

    public void Dispose() => fixture.Dispose();

    [Theory]
    [InlineData(DType.F32, 0)]
    [InlineData(DType.F32, 1)]
    [InlineData(DType.BF16, 0)]
    [InlineData(DType.F16, 1)]
    public void A_scaling_of_rows_or_columns_is_inferred_and_rebuilds_the_value(DType dtype, int scaledDimension)
    {
        const int rows = 24;
        const int columns = 40;
        var info = new TensorInfo("w", dtype, new long[] { rows, columns });
        var old = UpdateFixture.Weights(dtype, 1, rows * columns);
        var scale = TestData.RandomDoubles(2, scaledDimension == 0 ? rows : columns, 0.5).Select(s => 1 + s).ToArray();
        var values = UpdateFixture.Decode(dtype, old);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= scale[scaledDimension == 0 ? i / columns : i % columns];
        }

        var changed = UpdateFixture.Encode(dtype, values);
        var inference = ia3.Infer(fixture.Context, info, old, changed);

        Assert.Null(inference.Declined);
        var vector = inference.Update!.Get(Ia3Object.Vector, "test");
        Assert.Equal(scaledDimension == 0 ? new long[] { rows, 1 } : new long[] { 1, columns }, vector.Info.Shape);
        Assert.Equal(changed, inference.Value);
    }

    [Fact]
    public void Configured_broadcast_dimensions_are_the_only_ones_tried()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 6, 10 });
        var old = UpdateFixture.Weights(DType.F32, 3, 60);
        var values = UpdateFixture.Decode(DType.F32, old).Select((v, i) => v * (1 + (i / 10))).ToArray();
        var changed = UpdateFixture.Encode(DType.F32, values);

        var rowsShared = ia3.Infer(fixture.With(new ThetaSettings { Ia3BroadcastDims = new[] { 0 } }), info, old, changed);
        Assert.Contains("not the previous one scaled along dimension(s) 0", rowsShared.Declined);

        var columnsShared = ia3.Infer(fixture.With(new ThetaSettings { Ia3BroadcastDims = new[] { -1 } }), info, old, changed);
        Assert.Equal(new long[] { 6, 1 }, columnsShared.Update!.Get(Ia3Object.Vector, "test").Info.Shape);
    }

    [Fact]
    public void A_change_that_is_no_scaling_is_declined()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 16, 16 });
        var inference = ia3.Infer(fixture.Context, info, UpdateFixture.Weights(DType.F32, 4, 256), UpdateFixture.Weights(DType.F32, 5, 256));
        Assert.Null(inference.Update);
        Assert.Contains("not the previous one scaled", inference.Declined);
    }

    [Fact]
    public void A_vector_group_has_nothing_to_share_a_scale_along_and_is_declined_as_not_smaller()
    {
        var info = new TensorInfo("b", DType.F32, new long[] { 16 });
        var old = UpdateFixture.Weights(DType.F32, 6, 16);
        var changed = UpdateFixture.Encode(DType.F32, UpdateFixture.Decode(DType.F32, old).Select(v => v * 2).ToArray());
        Assert.Contains("would not be smaller", ia3.Infer(fixture.Context, info, old, changed).Declined);
    }

    [Fact]
    public void A_side_loaded_vector_broadcasts_like_numpy()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 2, 3, 4 });
        var vector = UpdateTensor.Of("w/ia3", DType.F32, new long[] { 3, 1 }, UpdateFixture.Encode(DType.F32, new[] { 2.0, 3.0, 4.0 }));
        var update = ia3.FromUpdateData(info, new Dictionary<string, UpdateTensor> { ["ia3"] = vector }, "test");
        var value = UpdateFixture.Encode(DType.F32, Enumerable.Repeat(1.0, 24).ToArray());

        ia3.Apply(info, update, value, "test");

        var expected = Enumerable.Range(0, 24).Select(i => 2.0 + ((i / 4) % 3)).ToArray();
        Assert.Equal(expected, UpdateFixture.Decode(DType.F32, value));
    }

    [Fact]
    public void A_side_loaded_vector_that_does_not_broadcast_is_GT2019()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 2, 3 });
        var vector = UpdateTensor.Of("w/ia3", DType.F32, new long[] { 2 }, new byte[8]);
        var exception = ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => ia3.FromUpdateData(info, new Dictionary<string, UpdateTensor> { ["ia3"] = vector }, "test"));
        Assert.Contains("does not broadcast", exception.Message);
    }
}
