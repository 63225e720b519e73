using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Metadata;

public class CheckpointSummaryTests
{
    [Fact]
    public void Counts_groups_parameters_bytes_dtypes_update_types_and_the_deepest_chain()
    {
        var chain = new[] { new UpdateLink("sparse", new ObjectRef(SampleMetadata.Oid("older"), 40)), new UpdateLink("dense", new ObjectRef(SampleMetadata.Oid("w"), 104)) };
        var parameters = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal)
        {
            ["w"] = SampleMetadata.Entry("w", DType.F32, new long[] { 4, 8 }),
            ["half"] = SampleMetadata.Entry("half", DType.F16, new long[] { 10 }),
            ["sparse"] = SampleMetadata.Entry("sparse", DType.F32, new long[] { 3 }, new UpdateDescription("sparse", new string('a', 40), Chain: chain)),
            ["flag"] = SampleMetadata.Entry("flag", DType.BOOL, new long[] { 2, 2 }),
        };
        var summary = CheckpointSummary.Of(new ThetaMetadata("safetensors", new ObjectRef(SampleMetadata.Oid("container"), 321), parameters));

        Assert.Equal(new[] { "flag", "half", "sparse", "w" }, summary.Groups.Select(g => g.Name));
        Assert.Equal(32 + 10 + 3 + 4, summary.ParameterCount);
        Assert.Equal((32 * 4) + (10 * 2) + (3 * 4) + 4, summary.ValueBytes);
        Assert.Equal(new[] { KeyValuePair.Create("BOOL", 1), KeyValuePair.Create("F16", 1), KeyValuePair.Create("F32", 2) }, summary.GroupsByDType);
        Assert.Equal(new[] { KeyValuePair.Create("dense", 3), KeyValuePair.Create("sparse", 1) }, summary.GroupsByUpdateType);
        Assert.Equal(2, summary.DeepestChain);
        Assert.Equal("safetensors", summary.Format);
        Assert.Equal(321, summary.Container.Size);
    }

    [Fact]
    public void Objects_are_counted_once_even_when_a_chain_shares_one_with_a_group()
    {
        // The sparse group's chain ends in w's object: the store holds it once, and so does the summary.
        var shared = new ObjectRef(SampleMetadata.Oid("w"), 101);
        var parameters = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal)
        {
            ["w"] = SampleMetadata.Entry("w"),
            ["s"] = SampleMetadata.Entry("s", update: new UpdateDescription("sparse", Chain: new[] { new UpdateLink("dense", shared) })),
        };
        var summary = CheckpointSummary.Of(new ThetaMetadata("safetensors", new ObjectRef(SampleMetadata.Oid("container"), 321), parameters));

        Assert.Equal(3, summary.Objects.Count);
        Assert.Equal(321 + 101 + 101, summary.StoredBytes);
    }

    [Fact]
    public void Find_returns_the_named_group_or_null_and_an_empty_checkpoint_has_no_chain()
    {
        var summary = CheckpointSummary.Of(SampleMetadata.Create("a", "b"));
        Assert.Equal(6, summary.Find("b")!.ElementCount);
        Assert.Equal(24, summary.Find("b")!.ValueBytes);
        Assert.Null(summary.Find("B"));

        var empty = CheckpointSummary.Of(SampleMetadata.Create());
        Assert.Empty(empty.Groups);
        Assert.Equal(0, empty.DeepestChain);
        Assert.Equal(0, empty.ParameterCount);
        Assert.Single(empty.Objects);
    }
}
