using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Updates;

public sealed class ChainMetadataTests
{
    private static readonly UpdateDescription Sparse = new(
        "sparse",
        "0123456789abcdef0123456789abcdef01234567",
        null,
        new[] { new UpdateLink("low-rank", new ObjectRef(SampleMetadata.Oid("lr"), 640)), new UpdateLink("dense", new ObjectRef(SampleMetadata.Oid("d"), 4160)) });

    [Fact]
    public void A_chain_is_written_one_link_per_line_between_base_and_type_and_round_trips()
    {
        var metadata = new ThetaMetadata("safetensors", new ObjectRef(SampleMetadata.Oid("c"), 1), new Dictionary<string, ParameterEntry> { ["w"] = SampleMetadata.Entry("w", update: Sparse) });
        var bytes = MetadataSerializer.Serialize(metadata);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Contains(
            "      \"update\": {\n        \"base\": \"0123456789abcdef0123456789abcdef01234567\",\n        \"chain\": [\n"
            + $"          \"low-rank {SampleMetadata.Oid("lr")} 640\",\n          \"dense {SampleMetadata.Oid("d")} 4160\"\n        ],\n        \"type\": \"sparse\"\n      }}",
            text);
        var parsed = MetadataSerializer.Parse(bytes, "m");
        Assert.Equal(Sparse, parsed.Parameters["w"].Update);
        Assert.Equal(2, parsed.Parameters["w"].Update.Depth);
        Assert.Equal(bytes, MetadataSerializer.Serialize(parsed));
    }

    [Fact]
    public void Objects_include_every_object_of_every_chain()
    {
        var metadata = new ThetaMetadata("safetensors", new ObjectRef(SampleMetadata.Oid("c"), 1), new Dictionary<string, ParameterEntry> { ["w"] = SampleMetadata.Entry("w", update: Sparse) });
        Assert.Equal(new[] { "c", "w", "lr", "d" }.Select(SampleMetadata.Oid), metadata.Objects.Select(o => o.Oid));
    }

    [Theory]
    [InlineData("\"chain\": \"dense x 1\"")]
    [InlineData("\"chain\": []")]
    [InlineData("\"chain\": [\"dense\"]")]
    [InlineData("\"chain\": [\"dense nothex 12\"]")]
    [InlineData("\"chain\": [\"dense 0cf8710900e516914416471c0d10fe4d2b33f8b6b6f918d089fc903033ba6ee4 -3\"]")]
    [InlineData("\"chain\": [7]")]
    public void A_malformed_chain_is_GT2006(string chain)
    {
        var metadata = new ThetaMetadata("safetensors", new ObjectRef(SampleMetadata.Oid("c"), 1), new Dictionary<string, ParameterEntry> { ["w"] = SampleMetadata.Entry("w", update: new UpdateDescription("sparse", "abc")) });
        var text = Encoding.UTF8.GetString(MetadataSerializer.Serialize(metadata)).Replace("\"base\": \"abc\"", chain);
        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => MetadataSerializer.Parse(Encoding.UTF8.GetBytes(text), "m"));
    }

    [Fact]
    public void Descriptions_with_different_chains_differ()
    {
        Assert.NotEqual(Sparse, Sparse with { Chain = Sparse.Chain!.Take(1).ToList() });
        Assert.Equal(Sparse, Sparse with { Chain = Sparse.Chain!.ToList() });
    }
}
