using GitTheta.Core.Configuration;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class ChainSquasherTests : IDisposable
{
    private const string Weight = "encoder.layer.0.attention.weight";

    private readonly ChainHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void Every_incremental_entry_becomes_a_dense_entry_of_the_same_value_and_signature()
    {
        var checkpoint = new SampleCheckpoint();
        harness.Commit(checkpoint.Build(), "sparse");
        for (var k = 1; k <= 3; k++)
        {
            checkpoint.Values[Weight][k] += 1;
            checkpoint.Values["decoder.weight"][k] -= 1;
            harness.Commit(checkpoint.Build(), "sparse");
        }

        var result = new ChainSquasher(new ThetaEngine(harness.Store, new ThetaSettings(), null)).Squash(harness.Head, ChainHarness.Path);

        Assert.Equal(2, result.Rewritten);
        Assert.Equal(3, result.DeepestChain);
        Assert.All(result.Metadata.Parameters.Values, e => Assert.Equal(UpdateDescription.Dense, e.Update));
        Assert.Equal(harness.Head.Parameters[Weight].Tensor.Lsh, result.Metadata.Parameters[Weight].Tensor.Lsh);
        Assert.Equal(harness.Head.Parameters["decoder.bias"], result.Metadata.Parameters["decoder.bias"]);
        Assert.Equal(checkpoint.Build(), harness.Smudge(result.Metadata));
        Assert.True(harness.Store.Contains(result.Metadata.Parameters[Weight].Object));
    }

    [Fact]
    public void Dense_metadata_is_left_as_it_is()
    {
        harness.Commit(new SampleCheckpoint().Build(), "dense");
        var result = new ChainSquasher(new ThetaEngine(harness.Store, new ThetaSettings(), null)).Squash(harness.Head, ChainHarness.Path);
        Assert.Equal(0, result.Rewritten);
        Assert.Equal(MetadataSerializer.Serialize(harness.Head), MetadataSerializer.Serialize(result.Metadata));
    }
}
