using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class UpdateChainTests : IDisposable
{
    private const string Weight = "encoder.layer.0.attention.weight";

    private readonly ChainHarness harness = new(StoredObjects.Settings);

    public void Dispose() => harness.Dispose();

    [Fact]
    public void A_chain_of_ten_sparse_updates_rebuilds_every_version_exactly()
    {
        var checkpoint = new SampleCheckpoint();
        var versions = new List<byte[]> { checkpoint.Build() };
        harness.Commit(versions[0], "sparse");
        for (var k = 1; k <= 10; k++)
        {
            checkpoint.Values[Weight][k * 31] += 0.5f;
            versions.Add(checkpoint.Build());
            var metadata = harness.Commit(versions[k], "sparse");
            var entry = metadata.Parameters[Weight];
            Assert.Equal(SparseUpdate.TypeName, entry.Update.Type);
            Assert.Equal(k, entry.Update.Depth);
            Assert.Equal(harness.Commits[k - 1].Commit, entry.Update.Base);
            Assert.Equal(DenseUpdate.TypeName, entry.Update.Chain![^1].Type);
        }

        for (var k = 0; k <= 10; k++)
        {
            Assert.Equal(versions[k], harness.Smudge(harness.Commits[k].Metadata));
        }

        var objects = harness.Head.Objects.Select(o => o.Oid).ToHashSet();
        Assert.All(harness.Commits.Select(c => c.Metadata.Parameters[Weight].Object.Oid), oid => Assert.Contains(oid, objects));
    }

    [Fact]
    public void Unchanged_groups_keep_their_entries_and_re_cleaning_an_update_gives_the_same_metadata()
    {
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "sparse");
        checkpoint.Values[Weight][5] = 3;
        var file = checkpoint.Build();
        var staged = harness.Clean(file, "sparse");

        Assert.Equal(staged, harness.Clean(file, "sparse", previous: staged), new MetadataComparer());
        Assert.Equal(UpdateDescription.Dense, staged.Parameters["decoder.bias"].Update);
        Assert.Equal(harness.Head.Parameters["decoder.bias"].Object, staged.Parameters["decoder.bias"].Object);
    }

    [Fact]
    public void Past_the_maximum_depth_the_group_is_stored_dense_and_the_reason_is_logged()
    {
        harness.Settings = StoredObjects.Settings with { MaxChainDepth = 2 };
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "sparse");
        for (var k = 1; k <= 3; k++)
        {
            checkpoint.Values[Weight][k] += 1;
            harness.Commit(checkpoint.Build(), "sparse");
        }

        Assert.Equal(new[] { 0, 1, 2, 0 }, harness.Commits.Select(c => c.Metadata.Parameters[Weight].Update.Depth));
        Assert.Contains(harness.Log, line => line.Contains("stored dense instead of sparse") && line.Contains(Weight) && line.Contains("theta.maxChainDepth (2)"));
        Assert.Equal(checkpoint.Build(), harness.Smudge(harness.Head));
    }

    [Fact]
    public void A_maximum_depth_of_zero_rewrites_unchanged_incremental_groups_dense_with_the_same_values()
    {
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "sparse");
        checkpoint.Values[Weight][0] += 1;
        var updated = harness.Commit(checkpoint.Build(), "sparse");
        Assert.Equal(1, updated.Parameters[Weight].Update.Depth);

        harness.Settings = StoredObjects.Settings with { MaxChainDepth = 0 };
        var squashed = harness.Clean(harness.Smudge(updated), "dense", previous: updated);

        Assert.All(squashed.Parameters.Values, e => Assert.Equal(UpdateDescription.Dense, e.Update));
        Assert.Equal(checkpoint.Build(), harness.Smudge(squashed));
        Assert.Equal(updated.Parameters["decoder.bias"].Object, squashed.Parameters["decoder.bias"].Object);
    }

    [Fact]
    public void Without_a_commit_to_build_on_every_group_is_stored_dense_with_one_note()
    {
        var metadata = harness.Commit(new SampleCheckpoint().Build(), "low-rank");
        Assert.All(metadata.Parameters.Values, e => Assert.Equal(UpdateDescription.Dense, e.Update));
        var note = Assert.Single(harness.Log);
        Assert.Contains($"{SampleCheckpoint.GroupCount} parameters", note);
        Assert.Contains("there is no commit yet to build on", note);
    }

    [Fact]
    public void A_missing_object_down_the_chain_names_the_group_the_commit_and_the_object()
    {
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "sparse");
        checkpoint.Values[Weight][0] += 1;
        var metadata = harness.Commit(checkpoint.Build(), "sparse");
        var bottom = metadata.Parameters[Weight].Update.Chain![0].Object;
        harness.Store.Delete(bottom.Oid);

        var exception = ThetaAssert.Throws(DiagnosticIds.MissingObject, () => harness.Smudge(metadata));

        Assert.Contains(Weight, exception.Message);
        Assert.Contains(harness.Commits[0].Commit, exception.Message);
        Assert.Contains(bottom.Oid, exception.Message);
    }

    [Fact]
    public void A_chain_that_does_not_end_in_a_dense_value_is_malformed()
    {
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "sparse");
        checkpoint.Values[Weight][0] += 1;
        var metadata = harness.Commit(checkpoint.Build(), "sparse");
        var entry = metadata.Parameters[Weight];
        var broken = entry with { Update = entry.Update with { Chain = new[] { new UpdateLink(SparseUpdate.TypeName, entry.Object) } } };
        var parameters = metadata.Parameters.ToDictionary(p => p.Key, p => p.Value);
        parameters[Weight] = broken;

        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => harness.Smudge(metadata with { Parameters = parameters }));
    }

    [Fact]
    public void Rebuilt_values_are_cached_and_the_cache_serves_the_next_rebuild()
    {
        var entry = CommitOneSparseChange().Parameters[Weight];
        var cache = new MaterializedValueCache();
        var context = new UpdateContext(harness.Store, new ThetaSettings(), ChainHarness.Path) { Cache = cache };
        var info = entry.Tensor.ToInfo(Weight);

        var first = UpdateChain.Materialize(context, info, entry);
        Assert.Equal(info.ByteLength, cache.UsedBytes);
        harness.Store.Delete(entry.Update.Chain![0].Object.Oid);
        Assert.Equal(first, UpdateChain.Materialize(context, info, entry));
    }

    [Theory]
    [InlineData(Weight)]
    [InlineData("decoder.bias")]
    public void A_value_rebuilt_into_a_buffer_equals_the_value_written_to_a_stream(string name)
    {
        var entry = CommitOneSparseChange().Parameters[name];
        var context = new UpdateContext(harness.Store, new ThetaSettings(), ChainHarness.Path);
        var info = entry.Tensor.ToInfo(name);
        var type = context.Updates.Get(entry.Update.Type, name);

        var written = new MemoryStream();
        type.Materialize(context, info, entry, written);
        var buffer = new byte[info.ByteLength + 8];
        type.Materialize(context, info, entry, buffer.AsMemory(4, (int)info.ByteLength));

        Assert.Equal(info.ByteLength, written.Length);
        Assert.Equal(written.ToArray(), buffer.AsSpan(4, (int)info.ByteLength).ToArray());
        Assert.Equal(new byte[4], buffer[..4]);
        Assert.Equal(new byte[4], buffer[^4..]);
    }

    [Fact]
    public void A_buffer_of_another_size_than_the_value_is_refused()
    {
        var metadata = CommitOneSparseChange();
        var context = new UpdateContext(harness.Store, new ThetaSettings(), ChainHarness.Path);
        var sparse = metadata.Parameters[Weight];
        var dense = metadata.Parameters["decoder.bias"];

        Assert.Throws<ArgumentException>(() => UpdateChain.Materialize(context, sparse.Tensor.ToInfo(Weight), sparse, new byte[sparse.Tensor.ToInfo(Weight).ByteLength - 1]));
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => new DenseUpdate().Materialize(context, dense.Tensor.ToInfo("decoder.bias"), dense, new byte[dense.Tensor.ToInfo("decoder.bias").ByteLength + 4]));
    }

    [Fact]
    public void The_cache_keeps_within_its_budget_dropping_the_least_recently_used()
    {
        var cache = new MaterializedValueCache(budget: 100);
        cache.Put("a", new byte[40]);
        cache.Put("b", new byte[40]);
        Assert.True(cache.TryGet("a", out _));
        cache.Put("c", new byte[40]);
        Assert.True(cache.TryGet("a", out _));
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.UsedBytes <= 100);
        cache.Put("big", new byte[60]);
        Assert.False(cache.TryGet("big", out _));
    }

    private sealed class MetadataComparer : IEqualityComparer<ThetaMetadata>
    {
        public bool Equals(ThetaMetadata? x, ThetaMetadata? y) =>
            MetadataSerializer.Serialize(x!).AsSpan().SequenceEqual(MetadataSerializer.Serialize(y!));

        public int GetHashCode(ThetaMetadata obj) => 0;
    }

    /// <summary>Commits the sample checkpoint, then the same with one element of <see cref="Weight"/> changed, stored sparse.</summary>
    private ThetaMetadata CommitOneSparseChange()
    {
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "sparse");
        checkpoint.Values[Weight][7] += 1;
        return harness.Commit(checkpoint.Build(), "sparse");
    }
}
