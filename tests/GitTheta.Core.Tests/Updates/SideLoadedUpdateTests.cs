using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class SideLoadedUpdateTests : IDisposable
{
    private const string Weight = "encoder.layer.0.attention.weight";

    private readonly ChainHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void Side_loaded_factors_are_stored_as_given_and_checkout_applies_them_whatever_the_working_file_holds()
    {
        var checkpoint = new SampleCheckpoint();
        var file = checkpoint.Build();
        harness.Commit(file, "low-rank");
        var r = TestData.RandomFloats(20, 64 * 4, 0.1);
        var c = TestData.RandomFloats(21, 4 * 48, 0.1);
        var data = WriteUpdateData(new SafetensorsFileBuilder().Add(Weight + "/R", "F32", new long[] { 64, 4 }, TestData.Bytes(r)).Add(Weight + "/C", "F32", new long[] { 4, 48 }, TestData.Bytes(c)));
        harness.Settings = new ThetaSettings { UpdateDataPath = data };

        var metadata = harness.Commit(file, "low-rank");

        var entry = metadata.Parameters[Weight];
        Assert.Equal(LowRankUpdate.TypeName, entry.Update.Type);
        Assert.Equal(harness.Commits[0].Commit, entry.Update.Base);
        var stored = UpdateTensors.Read(harness.Store, entry.Object, "test");
        Assert.Equal(TestData.Bytes(r), stored.Get("R", "test").Data.ToArray());
        Assert.Equal(TestData.Bytes(c), stored.Get("C", "test").Data.ToArray());
        Assert.All(metadata.Parameters.Where(p => p.Key != Weight), p => Assert.Equal(harness.Commits[0].Metadata.Parameters[p.Key].Object, p.Value.Object));

        var expected = checkpoint.Clone();
        expected.Values[Weight] = UpdateFixture.Decode(DType.F32, UpdateFixture.PlusProduct(DType.F32, TestData.Bytes(checkpoint.Values[Weight]), r.Select(v => (double)v).ToArray(), c.Select(v => (double)v).ToArray(), 64, 4, 48)).Select(v => (float)v).ToArray();
        Assert.Equal(expected.Build(), harness.Smudge(metadata));
    }

    [Fact]
    public void An_ia3_vector_is_side_loaded_and_applied()
    {
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "ia3");
        var scale = Enumerable.Range(0, 48).Select(i => 1f + (i / 100f)).ToArray();
        harness.Settings = new ThetaSettings { UpdateDataPath = WriteUpdateData(new SafetensorsFileBuilder().Add(Weight + "/ia3", "F32", new long[] { 48 }, TestData.Bytes(scale))) };

        var metadata = harness.Commit(checkpoint.Build(), "ia3");

        Assert.Equal(Ia3Update.TypeName, metadata.Parameters[Weight].Update.Type);
        var expected = checkpoint.Clone();
        expected.Values[Weight] = checkpoint.Values[Weight].Select((v, i) => (float)(v * (double)scale[i % 48])).ToArray();
        Assert.Equal(expected.Build(), harness.Smudge(metadata));
    }

    [Fact]
    public void Update_data_with_only_one_factor_of_a_group_is_GT2019()
    {
        harness.Commit(new SampleCheckpoint().Build(), "low-rank");
        harness.Settings = new ThetaSettings { UpdateDataPath = WriteUpdateData(new SafetensorsFileBuilder().Add(Weight + "/R", "F32", new long[] { 64, 1 }, new byte[256])) };
        var exception = ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => harness.Commit(new SampleCheckpoint().Build(), "low-rank"));
        Assert.Contains($"'{Weight}/C'", exception.Message);
    }

    [Fact]
    public void Update_data_for_a_group_without_a_committed_value_is_GT2019()
    {
        harness.Settings = new ThetaSettings { UpdateDataPath = WriteUpdateData(new SafetensorsFileBuilder().Add(Weight + "/ia3", "F32", new long[] { 48 }, new byte[192])) };
        var exception = ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => harness.Commit(new SampleCheckpoint().Build(), "ia3"));
        Assert.Contains("no committed value", exception.Message);
    }

    [Fact]
    public void Sparse_update_data_whose_indices_are_not_integers_is_GT2019()
    {
        harness.Commit(new SampleCheckpoint().Build(), "dense");
        harness.Settings = new ThetaSettings { UpdateDataPath = WriteUpdateData(new SafetensorsFileBuilder().Add(Weight + "/indices", "F32", new long[] { 1 }, new byte[4]).Add(Weight + "/values", "F32", new long[] { 1 }, new byte[4])) };
        ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => harness.Commit(new SampleCheckpoint().Build(), "sparse"));
    }

    [Fact]
    public void Unmatched_names_are_those_that_are_no_group_and_key()
    {
        var path = WriteUpdateData(new SafetensorsFileBuilder()
            .Add("a/R", "F32", new long[] { 1 }, new byte[4])
            .Add("a/C", "F32", new long[] { 1 }, new byte[4])
            .Add("a/X", "F32", new long[] { 1 }, new byte[4])
            .Add("typo/R", "F32", new long[] { 1 }, new byte[4])
            .Add("plain", "F32", new long[] { 1 }, new byte[4]));
        var data = UpdateData.Load(path, CheckpointFormatRegistry.Default);
        Assert.Equal(new[] { "a/X", "plain", "typo/R" }, data.Unmatched(new HashSet<string> { "a" }, new[] { "R", "C" }));
    }

    [Fact]
    public void Update_data_that_is_not_a_checkpoint_is_refused()
    {
        var path = harness.TempPath("notes.txt");
        File.WriteAllText(path, "hello");
        ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => UpdateData.Load(path, CheckpointFormatRegistry.Default));
        ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => UpdateData.Load(harness.TempPath("absent.safetensors"), CheckpointFormatRegistry.Default));
    }

    private string WriteUpdateData(SafetensorsFileBuilder builder)
    {
        var path = harness.TempPath(Guid.NewGuid().ToString("N") + ".safetensors");
        File.WriteAllBytes(path, builder.Build());
        return path;
    }
}
