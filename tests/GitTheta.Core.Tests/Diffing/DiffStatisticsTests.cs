using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Diffing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Tests.Updates;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Diffing;

public sealed class DiffStatisticsTests : IDisposable
{
    private const string Weight = "encoder.layer.0.attention.weight";
    private const string Bias = "decoder.bias";

    private readonly ChainHarness harness = new(StoredObjects.Settings);

    public void Dispose() => harness.Dispose();

    [Fact]
    public void A_sparse_update_chain_measures_the_same_as_the_dense_value_it_rebuilds()
    {
        var checkpoint = new SampleCheckpoint();
        var original = checkpoint.Values[Weight].ToArray();
        harness.Commit(checkpoint.Build(), "sparse");
        for (var k = 1; k <= 2; k++)
        {
            checkpoint.Values[Weight][k * 31] += 0.5f;
            harness.Commit(checkpoint.Build(), "sparse");
        }

        var sparse = harness.Head;
        var dense = harness.Clean(checkpoint.Build(), "dense", previous: harness.Commits[0].Metadata);
        Assert.Equal(("sparse", 2), (sparse.Parameters[Weight].Update.Type, sparse.Parameters[Weight].Update.Depth));
        Assert.Equal("dense", dense.Parameters[Weight].Update.Type);

        var fromChain = Compute(harness.Commits[0].Metadata, sparse);
        var fromDense = Compute(harness.Commits[0].Metadata, dense);

        Assert.Equal(fromDense, fromChain);
        var group = Assert.Single(fromChain);
        Assert.Equal(Weight, group.Name);
        Assert.Equal((ValueComparison.Measured, 64L * 48, 2L), (group.Delta!.Comparison, group.Delta.Total, group.Delta.Changed));
        var expected = new[] { 31, 62 }.Select(i => Math.Abs((double)checkpoint.Values[Weight][i] - original[i])).ToArray();
        Assert.Equal(expected.Max(), group.Delta.Norms!.MaxAbsDelta);
        Assert.Equal(Math.Sqrt(expected.Sum(d => d * d)), group.Delta.Norms.DeltaNorm, 1e-15);
        Assert.Equal(Math.Sqrt(original.Sum(v => (double)v * v)), group.Delta.Norms.BeforeNorm, 1e-12);
    }

    [Fact]
    public void Added_removed_and_reshaped_groups_are_described_without_reading_any_value()
    {
        var before = Metadata(("kept.weight", new long[] { 2, 3 }), ("gone.weight", new long[] { 4 }), ("reshaped", new long[] { 2, 3 }));
        var after = Metadata(("kept.weight", new long[] { 2, 3 }), ("new.weight", new long[] { 5, 2 }), ("reshaped", new long[] { 3, 2 }));

        var statistics = DiffStatistics.Compute(MetadataDiff.Compare(before, after), "safetensors", new UnreadableValues(), new UnreadableValues());

        Assert.Equal(
            new[] { "gone.weight: removed, 4 elements", "new.weight: added, 10 elements", "reshaped: shape [2, 3] -> [3, 2], values not compared" },
            statistics.Select(s => $"{s.Name}: {StatisticsText.Describe(s)}"));
    }

    [Fact]
    public void A_missing_object_without_a_fetcher_fails_before_reading_naming_the_group_the_object_and_the_fetch_command()
    {
        var (before, after) = TwoVersions();
        var oid = after.Parameters[Bias].Object.Oid;
        harness.Store.Delete(oid);

        var error = Assert.Throws<ThetaException>(() => Compute(before, after, revision: "v2"));

        Assert.Equal(DiagnosticIds.MissingObject, error.Code);
        Assert.Contains($"parameter '{Bias}'", error.Message);
        Assert.Contains(oid, error.Message);
        Assert.Contains("no remote is configured", error.Message);
        Assert.Contains("git theta fetch v2", error.Message);
    }

    [Fact]
    public void Missing_objects_are_fetched_in_one_call_before_any_value_is_read()
    {
        var (before, after) = TwoVersions();
        var reference = after.Parameters[Bias].Object;
        var path = harness.Store.PathOf(reference.Oid);
        var saved = File.ReadAllBytes(path);
        harness.Store.Delete(reference.Oid);
        var fetcher = new RestoringFetcher(() => File.WriteAllBytes(path, saved));

        var statistics = Compute(before, after, fetcher: fetcher);

        Assert.Equal(new[] { reference }, Assert.Single(fetcher.Calls));
        Assert.Equal(2L, statistics.Single(s => s.Name == Bias).Delta!.Changed);
    }

    [Fact]
    public void A_checkpoint_file_read_out_of_its_order_gives_the_same_values()
    {
        var checkpoint = new SampleCheckpoint();
        var file = harness.TempPath("model.safetensors");
        File.WriteAllBytes(file, checkpoint.Build());
        var metadata = harness.Clean(checkpoint.Build(), "dense");
        using var values = new CheckpointFileValues(file, ChainHarness.Path, new SafetensorsFormat());

        var forward = values.ReadingOrder.ToDictionary(n => n, n => values.Read(n, metadata.Parameters[n]));
        var backward = values.ReadingOrder.Reverse().ToDictionary(n => n, n => values.Read(n, metadata.Parameters[n]));

        Assert.Equal(SampleCheckpoint.GroupCount, forward.Count);
        Assert.All(forward, pair => Assert.Equal(pair.Value, backward[pair.Key]));
        Assert.Equal(TestData.Bytes(checkpoint.Values[Weight]), forward[Weight]);
    }

    [Theory]
    [InlineData("gguf", nameof(ValueComparison.RawBytes))]
    [InlineData("safetensors", nameof(ValueComparison.Counted))]
    public void U8_groups_of_a_gguf_checkpoint_are_quantized_blocks_compared_byte_by_byte(string checkpointType, string expectedComparison)
    {
        var expected = Enum.Parse<ValueComparison>(expectedComparison);
        var before = new ThetaMetadata(checkpointType, new ObjectRef(SampleMetadata.Oid("container"), 1), new Dictionary<string, ParameterEntry> { ["blk.0.attn_q.weight"] = SampleMetadata.Entry("old", DType.U8, new long[] { 2, 4 }) });
        var after = before with { Parameters = new Dictionary<string, ParameterEntry> { ["blk.0.attn_q.weight"] = SampleMetadata.Entry("new", DType.U8, new long[] { 2, 4 }) } };

        var statistics = DiffStatistics.Compute(
            MetadataDiff.Compare(before, after),
            checkpointType,
            new FixedValues(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }),
            new FixedValues(new byte[] { 1, 2, 3, 9, 5, 6, 7, 0 }));

        var delta = Assert.Single(statistics).Delta!;
        Assert.Equal((expected, 8L, 2L), (delta.Comparison, delta.Total, delta.Changed));
    }

    /// <summary>Two committed versions in which the bias changed in two elements.</summary>
    private (ThetaMetadata Before, ThetaMetadata After) TwoVersions()
    {
        var checkpoint = new SampleCheckpoint();
        var before = harness.Commit(checkpoint.Build(), "dense");
        checkpoint.Values[Bias][0] += 1f;
        checkpoint.Values[Bias][7] -= 1f;
        return (before, harness.Commit(checkpoint.Build(), "dense"));
    }

    private IReadOnlyList<GroupStatistics> Compute(ThetaMetadata before, ThetaMetadata after, string? revision = null, IObjectFetcher? fetcher = null)
    {
        using var oldValues = new StoredGroupValues(new ThetaEngine(harness.Store, harness.Settings, fetcher), ChainHarness.Path, null);
        using var newValues = new StoredGroupValues(new ThetaEngine(harness.Store, harness.Settings, fetcher), ChainHarness.Path, revision);
        return DiffStatistics.Compute(MetadataDiff.Compare(before, after), "safetensors", oldValues, newValues);
    }

    private static ThetaMetadata Metadata(params (string Name, long[] Shape)[] groups) =>
        new("safetensors", new ObjectRef(SampleMetadata.Oid("container"), 1), groups.ToDictionary(g => g.Name, g => SampleMetadata.Entry(g.Name, shape: g.Shape)));

    private sealed class UnreadableValues : IGroupValueSource
    {
        public IReadOnlyList<string>? ReadingOrder => null;

        public void Prepare(IReadOnlyList<(string Name, ParameterEntry Entry)> groups) => Assert.Empty(groups);

        public byte[] Read(string name, ParameterEntry entry) => throw new InvalidOperationException($"'{name}' was read");

        public void Dispose()
        {
        }
    }

    private sealed class FixedValues : IGroupValueSource
    {
        private readonly byte[] value;

        public FixedValues(byte[] value)
        {
            this.value = value;
        }

        public IReadOnlyList<string>? ReadingOrder => null;

        public void Prepare(IReadOnlyList<(string Name, ParameterEntry Entry)> groups)
        {
        }

        public byte[] Read(string name, ParameterEntry entry) => value;

        public void Dispose()
        {
        }
    }

    private sealed class RestoringFetcher : IObjectFetcher
    {
        private readonly Action restore;

        public RestoringFetcher(Action restore)
        {
            this.restore = restore;
        }

        public List<IReadOnlyCollection<ObjectRef>> Calls { get; } = new();

        public void Fetch(IReadOnlyCollection<ObjectRef> objects)
        {
            Calls.Add(objects.ToList());
            restore();
        }
    }
}
