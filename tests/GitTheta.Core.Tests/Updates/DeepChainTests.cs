using System.Text;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

/// <summary>
/// Chains as deep as metadata allows (issue 11, item 8): rebuilding one costs memory linear in its depth, and
/// metadata deeper than git-theta ever writes is refused when it would be staged (GT2025).
/// </summary>
public sealed class DeepChainTests : IDisposable
{
    private const string Weight = "encoder.layer.0.attention.weight";

    private readonly ChainHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void A_4096_link_chain_rebuilds_exactly_with_allocations_linear_in_its_depth()
    {
        var (entry, expected) = AlternatingChain(MetadataSerializer.MaxChainLength - 1);
        Assert.Equal(MetadataSerializer.MaxChainLength - 1, entry.Update.Depth);
        var info = entry.Tensor.ToInfo(Weight);
        var context = new UpdateContext(harness.Store, harness.Settings, ChainHarness.Path) { Cache = new MaterializedValueCache() };

        // Per thread, so tests running beside this one do not count: the rebuild runs on the calling thread.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var value = UpdateChain.Materialize(context, info, entry);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, value);

        // About 4096 update objects of ~100 bytes read and dropped, plus 4096 keys: a few MiB. Keys that spelled out
        // every link below them took 1.2 GB here.
        Assert.True(allocated < 64L << 20, $"rebuilding a {entry.Update.Depth}-deep chain of a {info.ByteLength}-byte group allocated {allocated >> 20} MiB");

        // The second rebuild is the cached value.
        Assert.Equal(expected, UpdateChain.Materialize(context, info, entry));
    }

    [Fact]
    public void Metadata_with_a_chain_deeper_than_1024_updates_is_refused_with_GT2025_when_it_would_be_staged()
    {
        var (deepest, _) = AlternatingChain(UpdateChain.MaxStagedDepth);
        var (tooDeep, _) = AlternatingChain(UpdateChain.MaxStagedDepth + 1);

        var accepted = MetadataSerializer.Serialize(harness.Head with { Parameters = With(deepest) });
        Assert.Equal(accepted, Clean(accepted));

        var refused = MetadataSerializer.Serialize(harness.Head with { Parameters = With(tooDeep) });
        var error = ThetaAssert.Throws(DiagnosticIds.UpdateChainTooDeep, () => Clean(refused));
        Assert.Equal(
            $"{ChainHarness.Path}: parameter '{Weight}': the metadata being staged has an update chain of 1025 updates, more than the 1024 git-theta accepts. Put the checkpoint itself in the working file and add that (the clean stores a value dense past theta.maxChainDepth); a chain already committed is shortened with 'git theta squash {ChainHarness.Path}'.",
            error.Message);
    }

    [Fact]
    public void A_chain_longer_than_4096_links_is_GT2025_when_read_and_4096_links_are_read()
    {
        var (longest, _) = AlternatingChain(MetadataSerializer.MaxChainLength);
        var metadata = MetadataSerializer.Serialize(harness.Head with { Parameters = With(longest) });
        Assert.Equal(MetadataSerializer.MaxChainLength, MetadataSerializer.Parse(metadata, "m").Parameters[Weight].Update.Depth);

        var link = $"\"sparse {longest.Object.Oid} {longest.Object.Size}\",\n";
        var text = Encoding.UTF8.GetString(metadata);
        var at = text.IndexOf("\"chain\": [\n", StringComparison.Ordinal) + "\"chain\": [\n".Length;
        var longer = Encoding.UTF8.GetBytes(text.Insert(at, link));
        var error = ThetaAssert.Throws(DiagnosticIds.UpdateChainTooDeep, () => MetadataSerializer.Parse(longer, "m"));
        Assert.Contains("4097 links, more than the 4096 git-theta reads", error.Message);
    }

    private byte[] Clean(byte[] metadata) =>
        new ThetaCleaner(new ThetaEngine(harness.Store, harness.Settings, null))
            .Clean(new MemoryStream(metadata), ChainHarness.Path, harness.Head, null);

    private Dictionary<string, ParameterEntry> With(ParameterEntry entry) =>
        new(harness.Head.Parameters, StringComparer.Ordinal) { [Weight] = entry };

    /// <summary>
    /// An entry of <paramref name="depth"/> updates that alternately add and take back one change, over the first
    /// version's dense value, and the value it rebuilds to: the first version for an even depth, the second for an
    /// odd one. Each step is exactly what a clean inferred, so every intermediate value is exact.
    /// </summary>
    private (ParameterEntry Entry, byte[] Value) AlternatingChain(int depth)
    {
        if (harness.Commits.Count == 0)
        {
            var checkpoint = new SampleCheckpoint();
            harness.Commit(checkpoint.Build(), "sparse");
            checkpoint.Values[Weight][17] += 0.5f;
            checkpoint.Values[Weight][1000] -= 0.25f;
            harness.Commit(checkpoint.Build(), "sparse");
            checkpoint.Values[Weight][17] -= 0.5f;
            checkpoint.Values[Weight][1000] += 0.25f;
            harness.Commit(checkpoint.Build(), "sparse");
        }

        var dense = harness.Commits[0].Metadata.Parameters[Weight];
        var up = harness.Commits[1].Metadata.Parameters[Weight];
        var down = harness.Commits[2].Metadata.Parameters[Weight];
        Assert.Equal(("sparse", 1), (up.Update.Type, up.Update.Depth));
        Assert.Equal(("sparse", 2), (down.Update.Type, down.Update.Depth));

        // Nearest first: the top update is "up" for an odd depth; the bottom update (just above the dense value) is always "up".
        var updates = Enumerable.Range(0, depth).Select(i => (depth - 1 - i) % 2 == 0 ? up : down).ToList();
        var chain = updates.Skip(1).Select(u => new UpdateLink(u.Update.Type, u.Object)).Append(new UpdateLink(DenseUpdate.TypeName, dense.Object)).ToList();
        var entry = updates[0] with { Update = updates[0].Update with { Chain = chain } };
        var context = new UpdateContext(harness.Store, harness.Settings, ChainHarness.Path);
        var value = UpdateChain.Materialize(context, (depth % 2 == 1 ? up : dense).Tensor.ToInfo(Weight), depth % 2 == 1 ? up : dense);
        return (entry, value);
    }
}
