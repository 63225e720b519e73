using System.Runtime.InteropServices;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class SparseUpdateTests : IDisposable
{
    private readonly UpdateFixture fixture = new();
    private readonly SparseUpdate sparse = new();

    public void Dispose() => fixture.Dispose();

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F64)]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    [InlineData(DType.I32)]
    public void Changed_elements_come_back_exactly_in_every_dtype(DType dtype)
    {
        var info = new TensorInfo("w", dtype, new long[] { 64, 32 });
        var old = UpdateFixture.Weights(dtype, 1, 64 * 32, dtype == DType.I32 ? 1000 : 0.5);
        var values = UpdateFixture.Decode(dtype, old);
        foreach (var i in new[] { 0, 7, 100, 2047 })
        {
            values[i] = values[i] * 3 + (dtype == DType.I32 ? 5 : 0.25);
        }

        var changed = UpdateFixture.Encode(dtype, values);
        var inference = sparse.Infer(fixture.Context, info, old, changed);

        Assert.Null(inference.Declined);
        Assert.Equal(changed, inference.Value);
        var indices = inference.Update!.Get(SparseObject.Indices, "test");
        Assert.Equal(DType.I32, indices.Info.DType);
        Assert.Equal(new long[] { 4 }, indices.Info.Shape);
        Assert.Equal(new long[] { 64, 32 }, UpdateFixture.Decode(DType.I64, inference.Update.Get(SparseObject.Shape, "test").Data.Span).Select(v => (long)v));

        var rebuilt = old.ToArray();
        sparse.Apply(info, inference.Update, rebuilt, "test");
        Assert.Equal(changed, rebuilt);
    }

    [Fact]
    public void Differences_below_the_threshold_are_left_out_and_stay_within_it()
    {
        var info = new TensorInfo("w", DType.F64, new long[] { 1000 });
        var old = UpdateFixture.Weights(DType.F64, 2, 1000, 1.0);
        var values = UpdateFixture.Decode(DType.F64, old);
        values[3] += 1e-13;
        values[4] += 1e-3;
        var context = fixture.With(new ThetaSettings { SparseThreshold = 1e-12 });

        var inference = sparse.Infer(context, info, old, UpdateFixture.Encode(DType.F64, values));

        Assert.Equal(new long[] { 1 }, inference.Update!.Get(SparseObject.Indices, "test").Info.Shape);
        var rebuilt = UpdateFixture.Decode(DType.F64, inference.Value);
        Assert.All(Enumerable.Range(0, 1000), i => Assert.True(Math.Abs(rebuilt[i] - values[i]) <= 1e-12));
        Assert.Equal(values[4], rebuilt[4]);
    }

    [Fact]
    public void A_one_percent_change_of_a_1024_by_256_group_stores_at_most_a_tenth_of_its_bytes()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 1024, 256 });
        var old = UpdateFixture.Weights(DType.F32, 3, 1024 * 256);
        var values = UpdateFixture.Decode(DType.F32, old);
        var random = new Random(4);
        var picked = Enumerable.Range(0, values.Length).OrderBy(_ => random.Next()).Take(values.Length / 100).ToList();
        foreach (var i in picked)
        {
            values[i] += 1e-3;
        }

        var inference = sparse.Infer(fixture.Context, info, old, UpdateFixture.Encode(DType.F32, values));

        Assert.Null(inference.Declined);
        var stored = inference.Update!.Get(SparseObject.Indices, "test").Info.ElementCount + (inference.Update.Find(SparseObject.WideIndices)?.Info.ElementCount ?? 0);
        Assert.Equal(picked.Count, stored);
        Assert.True(inference.Update.ObjectLength <= info.ByteLength / 10, $"{inference.Update.ObjectLength} bytes for a {info.ByteLength}-byte group");
    }

    [Fact]
    public void Differences_float32_cannot_hold_exactly_go_to_a_float64_block_and_the_rest_stay_float32()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 100 });
        var values = Enumerable.Range(0, 100).Select(i => 0.5 + (i / 1000.0)).ToArray();
        var old = UpdateFixture.Encode(DType.F32, values);
        values[10] = 1e-7;
        values[20] += 0.001;
        values[30] += 0.001;
        var changed = UpdateFixture.Encode(DType.F32, values);

        var inference = sparse.Infer(fixture.Context, info, old, changed);

        var update = inference.Update!;
        Assert.Equal((DType.F32, 2L), (update.Get(SparseObject.Values, "t").Info.DType, update.Get(SparseObject.Values, "t").Info.ElementCount));
        Assert.Equal((DType.F64, 1L), (update.Get(SparseObject.WideValues, "t").Info.DType, update.Get(SparseObject.WideValues, "t").Info.ElementCount));
        Assert.Equal(10, BitConverter.ToInt32(update.Get(SparseObject.WideIndices, "t").Data.Span));
        Assert.Equal(changed, inference.Value);
        var rebuilt = old.ToArray();
        sparse.Apply(info, update, rebuilt, "t");
        Assert.Equal(changed, rebuilt);
    }

    [Fact]
    public void An_element_named_in_both_blocks_is_corrupt()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 4 });
        var update = new UpdateTensors(new[]
        {
            UpdateTensor.Of(SparseObject.Indices, DType.I32, new long[] { 1 }, BitConverter.GetBytes(2)),
            UpdateTensor.Of(SparseObject.Values, DType.F32, new long[] { 1 }, BitConverter.GetBytes(1f)),
            UpdateTensor.Of(SparseObject.WideIndices, DType.I32, new long[] { 1 }, BitConverter.GetBytes(2)),
            UpdateTensor.Of(SparseObject.WideValues, DType.F64, new long[] { 1 }, BitConverter.GetBytes(1.0)),
        });
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => sparse.Apply(info, update, new byte[16], "test"));
    }

    [Fact]
    public void A_dense_change_is_declined_as_not_smaller()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 100 });
        var old = UpdateFixture.Weights(DType.F32, 5, 100);
        var changed = UpdateFixture.Weights(DType.F32, 6, 100);

        var inference = sparse.Infer(fixture.Context, info, old, changed);

        Assert.Null(inference.Update);
        Assert.Contains("would not be smaller", inference.Declined);
    }

    [Fact]
    public void A_change_of_most_elements_of_a_large_group_is_declined_before_it_is_all_collected()
    {
        const int count = 1 << 16;
        var info = new TensorInfo("w", DType.F32, new long[] { count });
        var old = UpdateFixture.Weights(DType.F32, 7, count);
        var changed = UpdateFixture.Weights(DType.F32, 8, count);

        var inference = sparse.Infer(fixture.Context, info, old, changed);

        // An index and a float32 per change: half the float32 elements is where sparse stops being smaller.
        Assert.Null(inference.Update);
        Assert.Contains($"more than {(count / 2) - 1} of {count} elements changed", inference.Declined);
        Assert.Contains("would not be smaller", inference.Declined);
    }

    [Fact]
    public void A_number_becoming_NaN_is_stored_but_NaN_or_infinity_becoming_a_number_cannot_be_rebuilt_and_is_declined()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 64 });
        var values = new double[64];
        var old = UpdateFixture.Encode(DType.F32, values);
        values[0] = double.NaN;
        var withNaN = UpdateFixture.Encode(DType.F32, values);
        var inference = sparse.Infer(fixture.Context, info, old, withNaN);
        Assert.Null(inference.Declined);
        Assert.True(float.IsNaN(BitConverter.ToSingle(inference.Value, 0)));

        Assert.Contains("cannot be rebuilt exactly", sparse.Infer(fixture.Context, info, withNaN, old).Declined);
        values[0] = double.PositiveInfinity;
        Assert.Contains("cannot be rebuilt exactly", sparse.Infer(fixture.Context, info, UpdateFixture.Encode(DType.F32, values), old).Declined);
    }

    [Fact]
    public void A_stored_update_with_indices_out_of_range_is_corrupt()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 4 });
        var update = new UpdateTensors(new[]
        {
            UpdateTensor.Of(SparseObject.Indices, DType.I32, new long[] { 1 }, BitConverter.GetBytes(9)),
            UpdateTensor.Of(SparseObject.Values, DType.F32, new long[] { 1 }, BitConverter.GetBytes(1f)),
        });
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => sparse.Apply(info, update, new byte[16], "test"));
    }

    [Fact]
    public void Side_loaded_indices_are_sorted_and_a_repeated_or_outside_index_is_GT2019()
    {
        Assert.Equal(new[] { "indices", "values" }, sparse.UpdateDataKeys);
        var info = new TensorInfo("w", DType.F32, new long[] { 4 });
        UpdateTensor Indices(params int[] values) => UpdateTensor.Of("w/indices", DType.I32, new long[] { values.Length }, values.SelectMany(BitConverter.GetBytes).ToArray());
        UpdateTensor Values(params float[] values) => UpdateTensor.Of("w/values", DType.F32, new long[] { values.Length }, values.SelectMany(BitConverter.GetBytes).ToArray());

        var update = sparse.FromUpdateData(info, new Dictionary<string, UpdateTensor> { ["indices"] = Indices(3, 1), ["values"] = Values(0.5f, -1f) }, "test");
        var value = new byte[16];
        sparse.Apply(info, update, value, "test");
        Assert.Equal(new[] { 0f, -1f, 0f, 0.5f }, MemoryMarshal.Cast<byte, float>(value).ToArray());

        ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => sparse.FromUpdateData(info, new Dictionary<string, UpdateTensor> { ["indices"] = Indices(1, 1), ["values"] = Values(1, 1) }, "test"));
        ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => sparse.FromUpdateData(info, new Dictionary<string, UpdateTensor> { ["indices"] = Indices(4), ["values"] = Values(1) }, "test"));
    }
}
