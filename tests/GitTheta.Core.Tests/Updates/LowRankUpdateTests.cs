using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class LowRankUpdateTests : IDisposable
{
    private readonly UpdateFixture fixture = new();
    private readonly LowRankUpdate lowRank = new();

    public void Dispose() => fixture.Dispose();

    [Theory]
    [InlineData(DType.F32, 4)]
    [InlineData(DType.F64, 3)]
    public void An_exactly_low_rank_change_is_inferred_at_its_rank_and_rebuilds_the_value(DType dtype, int rank)
    {
        const int rows = 96;
        const int columns = 80;
        var info = new TensorInfo("w", dtype, new long[] { rows, columns });
        var (old, changed) = LowRankChange(dtype, rows, columns, rank);

        var inference = lowRank.Infer(fixture.Context, info, old, changed);

        Assert.Null(inference.Declined);
        var factors = inference.Update!;
        Assert.Equal(new long[] { rows, rank }, factors.Get(LowRankObject.RowFactor, "test").Info.Shape);
        Assert.Equal(new long[] { rank, columns }, factors.Get(LowRankObject.ColumnFactor, "test").Info.Shape);
        Assert.Equal(dtype == DType.F64 ? DType.F64 : DType.F32, factors.Get(LowRankObject.RowFactor, "test").Info.DType);
        Assert.True(AllClose.Check(dtype, inference.Value, changed, 1e-8, 1e-5));
        var rebuilt = old.ToArray();
        lowRank.Apply(info, factors, rebuilt, "test");
        Assert.Equal(inference.Value, rebuilt);
    }

    [Theory]
    [InlineData(DType.BF16, 2)]
    [InlineData(DType.F16, 5)]
    public void A_half_precision_change_rounds_off_its_factors_so_it_is_declined_unless_the_tolerances_allow_that_rounding(DType dtype, int rank)
    {
        const int rows = 96;
        const int columns = 80;
        var info = new TensorInfo("w", dtype, new long[] { rows, columns });
        var (old, changed) = LowRankChange(dtype, rows, columns, rank);

        Assert.Contains($"rank {rank} factors", lowRank.Infer(fixture.Context, info, old, changed).Declined);

        var loose = lowRank.Infer(fixture.With(new ThetaSettings { Atol = 1e-2 }), info, old, changed);
        Assert.Equal(new long[] { rows, rank }, loose.Update!.Get(LowRankObject.RowFactor, "test").Info.Shape);
        Assert.True(AllClose.Check(dtype, loose.Value, changed, 1e-2, 1e-5));
    }

    [Fact]
    public void The_rank_setting_fixes_the_rank()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 64, 64 });
        var old = UpdateFixture.Weights(DType.F32, 4, 64 * 64);
        var changed = UpdateFixture.PlusProduct(DType.F32, old, TestData.RandomDoubles(5, 64 * 2, 0.1), TestData.RandomDoubles(6, 2 * 64, 0.1), 64, 2, 64);

        var inference = lowRank.Infer(fixture.With(new ThetaSettings { LowRankRank = 6 }), info, old, changed);

        Assert.Equal(new long[] { 64, 6 }, inference.Update!.Get(LowRankObject.RowFactor, "test").Info.Shape);
        Assert.True(AllClose.Check(DType.F32, inference.Value, changed, 1e-8, 1e-5));
    }

    [Fact]
    public void A_rank_too_small_to_rebuild_the_value_is_declined()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 64, 64 });
        var old = UpdateFixture.Weights(DType.F32, 7, 64 * 64);
        var changed = UpdateFixture.PlusProduct(DType.F32, old, TestData.RandomDoubles(8, 64 * 5, 0.1), TestData.RandomDoubles(9, 5 * 64, 0.1), 64, 5, 64);

        var inference = lowRank.Infer(fixture.With(new ThetaSettings { LowRankRank = 2 }), info, old, changed);

        Assert.Null(inference.Update);
        Assert.Contains("rank 2 factors would not rebuild the value", inference.Declined);
    }

    [Fact]
    public void A_full_rank_change_is_declined_as_not_smaller()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 48, 40 });
        var old = UpdateFixture.Weights(DType.F32, 10, 48 * 40);
        var changed = UpdateFixture.Weights(DType.F32, 11, 48 * 40);

        var inference = lowRank.Infer(fixture.Context, info, old, changed);

        Assert.Null(inference.Update);
        Assert.Contains("would not be smaller", inference.Declined);
        Assert.Contains("would not be smaller", lowRank.Infer(fixture.With(new ThetaSettings { LowRankRank = 30 }), info, old, changed).Declined);
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.BF16)]
    [InlineData(DType.F64)]
    public void A_one_dimensional_group_stores_its_difference_exactly(DType dtype)
    {
        var info = new TensorInfo("b", dtype, new long[] { 300 });
        var old = UpdateFixture.Weights(dtype, 12, 300);
        var changed = UpdateFixture.Weights(dtype, 13, 300);

        var inference = lowRank.Infer(fixture.Context, info, old, changed);

        var diff = inference.Update!.Get(LowRankObject.Diff, "test");
        Assert.Equal(new long[] { 300 }, diff.Info.Shape);
        if (dtype == DType.F64)
        {
            // A float64 difference of values of opposite signs can round by one unit in the last place.
            Assert.True(AllClose.Check(dtype, inference.Value, changed, 1e-17, 1e-15));
        }
        else
        {
            Assert.Equal(changed, inference.Value);
        }
    }

    [Fact]
    public void Side_loaded_factors_are_kept_as_given_and_applied_in_float64()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 8, 2, 3 });
        var r = UpdateTensor.Of("w/R", DType.BF16, new long[] { 8, 2 }, UpdateFixture.Encode(DType.BF16, TestData.RandomDoubles(14, 16, 0.5)));
        var c = UpdateTensor.Of("w/C", DType.F32, new long[] { 2, 2, 3 }, UpdateFixture.Encode(DType.F32, TestData.RandomDoubles(15, 12, 0.5)));

        var update = lowRank.FromUpdateData(info, new Dictionary<string, UpdateTensor> { ["R"] = r, ["C"] = c }, "test");

        Assert.Equal(DType.BF16, update.Get("R", "test").Info.DType);
        Assert.Equal(new long[] { 2, 6 }, update.Get("C", "test").Info.Shape);
        var old = UpdateFixture.Weights(DType.F32, 16, 48);
        var value = old.ToArray();
        lowRank.Apply(info, update, value, "test");
        var expected = UpdateFixture.PlusProduct(DType.F32, old, r.ToDoubles(), c.ToDoubles(), 8, 2, 6);
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Side_loaded_factors_of_the_wrong_shape_or_for_a_vector_are_GT2019()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 8, 6 });
        var r = UpdateTensor.Of("w/R", DType.F32, new long[] { 8, 2 }, new byte[64]);
        var c = UpdateTensor.Of("w/C", DType.F32, new long[] { 3, 6 }, new byte[72]);
        var exception = ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => lowRank.FromUpdateData(info, new Dictionary<string, UpdateTensor> { ["R"] = r, ["C"] = c }, "model: parameter 'w'"));
        Assert.Contains("R [8, k] and C [k, 6]", exception.Message);
        ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => lowRank.FromUpdateData(new TensorInfo("b", DType.F32, new long[] { 8 }), new Dictionary<string, UpdateTensor> { ["R"] = r, ["C"] = c }, "b"));
    }

    private static (byte[] Old, byte[] Changed) LowRankChange(DType dtype, int rows, int columns, int rank)
    {
        var old = UpdateFixture.Weights(dtype, 1, rows * columns, 0.5);
        var r = TestData.RandomDoubles(2, rows * rank, 0.1);
        var c = TestData.RandomDoubles(3, rank * columns, 0.1);
        return (old, UpdateFixture.PlusProduct(dtype, old, r, c, rows, rank, columns));
    }

    [Fact]
    public void The_same_change_always_gives_the_same_factors()
    {
        var info = new TensorInfo("w", DType.F32, new long[] { 64, 48 });
        var old = UpdateFixture.Weights(DType.F32, 17, 64 * 48);
        var changed = UpdateFixture.PlusProduct(DType.F32, old, TestData.RandomDoubles(18, 64 * 3, 0.1), TestData.RandomDoubles(19, 3 * 48, 0.1), 64, 3, 48);
        var first = lowRank.Infer(fixture.Context, info, old, changed).Update!;
        var second = lowRank.Infer(fixture.Context, info, old, changed).Update!;
        Assert.Equal(first.Stage(fixture.Transaction), second.Stage(fixture.Transaction));
    }
}
