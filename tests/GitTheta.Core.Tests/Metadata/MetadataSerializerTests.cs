using System.Text;
using GitTheta.Core.Hashing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Metadata;

public class MetadataSerializerTests
{
    [Fact]
    public void The_same_metadata_always_serializes_to_the_same_bytes()
    {
        var first = MetadataSerializer.Serialize(SampleMetadata.Create("b", "a", "c"));
        var second = MetadataSerializer.Serialize(SampleMetadata.Create("b", "a", "c"));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Insertion_order_of_parameters_does_not_change_the_bytes()
    {
        var forward = MetadataSerializer.Serialize(SampleMetadata.Create("encoder.w", "encoder.b", "Decoder", "head"));
        var backward = MetadataSerializer.Serialize(SampleMetadata.Create("head", "Decoder", "encoder.b", "encoder.w"));
        Assert.Equal(forward, backward);
    }

    [Theory]
    [InlineData("plain.weight")]
    [InlineData("quote\"back\\slash")]
    [InlineData("control\u0000\u001f\u007f\ttab\nline")]
    [InlineData("html<>&'+`")]
    [InlineData("unicode é中文🙂 \u2028\u2029")]
    [InlineData("lone \ud800 surrogate")]
    [InlineData("reversed \udc00\ud800 pair")]
    public void Names_are_escaped_exactly_as_the_JSON_serializer_escapes_them(string name)
    {
        var text = Encoding.UTF8.GetString(MetadataSerializer.Serialize(SampleMetadata.Create(name)));
        var serializer = System.Text.Json.JsonSerializer.Serialize(name, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("    " + serializer + ": {", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameter_names_are_sorted_by_ordinal()
    {
        var text = Encoding.UTF8.GetString(MetadataSerializer.Serialize(SampleMetadata.Create("b", "a", "B", "a.b", "a_b", "é")));
        var positions = new[] { "\"B\"", "\"a\"", "\"a.b\"", "\"a_b\"", "\"b\"", "\"é\"" }.Select(n => text.IndexOf("    " + n + ": {", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void Keys_are_sorted_at_every_level_and_the_layout_is_fixed()
    {
        var metadata = new ThetaMetadata(
            "safetensors",
            new ObjectRef(SampleMetadata.Oid("c"), 12),
            new Dictionary<string, ParameterEntry>
            {
                ["w"] = new(new TensorDescription(DType.BF16, new long[] { 4, 2 }, new LshSignature(new long[] { -3, 0, 7 })), new ObjectRef(SampleMetadata.Oid("w"), 99), UpdateDescription.Dense),
            });
        var expected =
            "{\n" +
            "  \"checkpoint\": {\n" +
            "    \"container\": {\n" +
            $"      \"oid\": \"{SampleMetadata.Oid("c")}\",\n" +
            "      \"size\": 12\n" +
            "    },\n" +
            "    \"type\": \"safetensors\"\n" +
            "  },\n" +
            "  \"format\": \"git-theta/1\",\n" +
            "  \"parameters\": {\n" +
            "    \"w\": {\n" +
            "      \"object\": {\n" +
            $"        \"oid\": \"{SampleMetadata.Oid("w")}\",\n" +
            "        \"size\": 99\n" +
            "      },\n" +
            "      \"tensor\": {\n" +
            "        \"dtype\": \"BF16\",\n" +
            "        \"lsh\": [-3, 0, 7],\n" +
            "        \"shape\": [4, 2]\n" +
            "      },\n" +
            "      \"update\": {\n" +
            "        \"type\": \"dense\"\n" +
            "      }\n" +
            "    }\n" +
            "  }\n" +
            "}\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(MetadataSerializer.Serialize(metadata)));
    }

    [Fact]
    public void Output_ends_with_a_newline_and_has_no_carriage_returns_or_tabs()
    {
        var bytes = MetadataSerializer.Serialize(SampleMetadata.Create("a", "b"));
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.NotEqual((byte)'\n', bytes[^2]);
        Assert.DoesNotContain((byte)'\r', bytes);
        Assert.DoesNotContain((byte)'\t', bytes);
    }

    [Fact]
    public void Metadata_without_parameters_is_still_valid_and_ends_with_a_newline()
    {
        var bytes = MetadataSerializer.Serialize(SampleMetadata.Create());
        Assert.EndsWith("\"parameters\": {}\n}\n", Encoding.UTF8.GetString(bytes));
        Assert.Empty(MetadataSerializer.TryParse(bytes, "m")!.Parameters);
    }

    [Fact]
    public void Update_fields_are_sorted_with_type_among_them()
    {
        var update = new UpdateDescription("low-rank", "0123456789abcdef0123456789abcdef01234567", new Dictionary<string, string> { ["rank"] = "8", ["alpha"] = "16" });
        var metadata = new ThetaMetadata("safetensors", new ObjectRef(SampleMetadata.Oid("c"), 1), new Dictionary<string, ParameterEntry> { ["w"] = SampleMetadata.Entry("w", update: update) });
        var text = Encoding.UTF8.GetString(MetadataSerializer.Serialize(metadata));
        var order = new[] { "\"alpha\": \"16\"", "\"base\": \"0123", "\"rank\": \"8\"", "\"type\": \"low-rank\"" }.Select(s => text.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
    }

    [Fact]
    public void Round_trips_through_TryParse()
    {
        var update = new UpdateDescription("sparse", "89abcdef0123456789abcdef0123456789abcdef", new Dictionary<string, string> { ["density"] = "0.01" });
        var original = new ThetaMetadata(
            "safetensors",
            new ObjectRef(SampleMetadata.Oid("container"), 4242),
            new Dictionary<string, ParameterEntry>
            {
                ["layer.0.weight"] = SampleMetadata.Entry("l0", DType.F8_E5M2, new long[] { 3, 1, 0 }),
                ["layer.0.bias"] = SampleMetadata.Entry("l0b", DType.U64, Array.Empty<long>(), update),
                ["name with \"quotes\" and \\ and ü"] = SampleMetadata.Entry("q", DType.BOOL, new long[] { 1L << 40 }),
            });
        var bytes = MetadataSerializer.Serialize(original);
        var parsed = MetadataSerializer.TryParse(bytes, "m");
        Assert.NotNull(parsed);
        Assert.Equal(original.CheckpointType, parsed.CheckpointType);
        Assert.Equal(original.Container, parsed.Container);
        Assert.Equal(original.Parameters.Keys.Order(), parsed.Parameters.Keys.Order());
        foreach (var (name, entry) in original.Parameters)
        {
            var back = parsed.Parameters[name];
            Assert.Equal(entry.Object, back.Object);
            Assert.Equal(entry.Update, back.Update);
            Assert.Equal(entry.Tensor.DType, back.Tensor.DType);
            Assert.Equal(entry.Tensor.Shape, back.Tensor.Shape);
            Assert.Equal(entry.Tensor.Lsh, back.Tensor.Lsh);
        }

        Assert.Equal(bytes, MetadataSerializer.Serialize(parsed));
    }

    [Fact]
    public void A_dense_update_parses_to_the_shared_dense_description()
    {
        var parsed = MetadataSerializer.Parse(MetadataSerializer.Serialize(SampleMetadata.Create("w")), "m");
        Assert.Same(UpdateDescription.Dense, parsed.Parameters["w"].Update);
    }

    [Fact]
    public void Objects_lists_the_container_first_then_every_group()
    {
        var metadata = SampleMetadata.Create("a", "b");
        var oids = metadata.Objects.Select(o => o.Oid).ToList();
        Assert.Equal(3, oids.Count);
        Assert.Equal(SampleMetadata.Oid("container"), oids[0]);
        Assert.Equal(new[] { SampleMetadata.Oid("a"), SampleMetadata.Oid("b") }.Order(), oids.Skip(1).Order());
        Assert.Equal(12, metadata.ParameterCount);
    }
}
