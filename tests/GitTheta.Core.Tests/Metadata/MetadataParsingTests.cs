using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Metadata;

/// <summary>What is and is not theta metadata, and how malformed metadata is refused.</summary>
public class MetadataParsingTests
{
    private static readonly string GoodOid = SampleMetadata.Oid("x");

    private static string Document(string parameter = "", string container = "", string format = "git-theta/1") =>
        "{\"format\":\"" + format + "\",\"checkpoint\":{\"type\":\"safetensors\",\"container\":" + (container.Length > 0 ? container : "{\"oid\":\"" + GoodOid + "\",\"size\":10}") + "},"
        + "\"parameters\":{" + parameter + "}}";

    private static string Parameter(string tensor = "", string @object = "", string update = "{\"type\":\"dense\"}") =>
        "\"w\":{\"tensor\":" + (tensor.Length > 0 ? tensor : "{\"dtype\":\"F32\",\"shape\":[2],\"lsh\":[1,2]}")
        + ",\"object\":" + (@object.Length > 0 ? @object : "{\"oid\":\"" + GoodOid + "\",\"size\":5}")
        + ",\"update\":" + update + "}";

    private static ThetaException Malformed(string json)
    {
        var exception = ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => MetadataSerializer.TryParse(Encoding.UTF8.GetBytes(json), "models/m.safetensors"));
        Assert.Contains("models/m.safetensors", exception.Message);
        return exception;
    }

    [Theory]
    [InlineData("{\"bytes\":4,\"hashes\":[\"0000000000000001\",\"0000000000000002\"]}", true, "invalid xxh3_chunks")] // not a multiple of 8
    [InlineData("{\"bytes\":8,\"hashes\":[\"0000000000000001\"]}", false, "invalid xxh3_chunks")] // beside no xxh3
    [InlineData("{\"bytes\":8,\"hashes\":[\"0000000000000001\",\"0000000000000002\"]}", true, "has 2 xxh3_chunks fingerprints, but 8 bytes make 1 chunks of 8")]
    [InlineData("{\"bytes\":8,\"hashes\":[\"XYZ\"]}", true, "invalid xxh3_chunks fingerprint")]
    [InlineData("{\"bytes\":8,\"hashes\":\"0000000000000001\"}", true, "invalid xxh3_chunks")]
    [InlineData("{\"bytes\":2147483648,\"hashes\":[\"0000000000000001\"]}", true, "invalid xxh3_chunks")]
    [InlineData("[8]", true, "invalid xxh3_chunks")]
    public void Chunk_fingerprints_that_do_not_fit_the_value_are_malformed(string chunks, bool withXxh3, string expected)
    {
        var tensor = "{\"dtype\":\"F32\",\"shape\":[2],\"lsh\":[1,2]" + (withXxh3 ? ",\"xxh3\":\"0000000000000001\"" : "") + ",\"xxh3_chunks\":" + chunks + "}";

        var error = Malformed(Document(Parameter(tensor)));

        Assert.Contains("parameter 'w'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Chunk_fingerprints_parse_to_one_hash_per_chunk()
    {
        var tensor = "{\"dtype\":\"F32\",\"shape\":[3],\"lsh\":[1,2],\"xxh3\":\"00000000000000ff\",\"xxh3_chunks\":{\"bytes\":8,\"hashes\":[\"0000000000000001\",\"ffffffffffffffff\"]}}";

        var metadata = MetadataSerializer.TryParse(Encoding.UTF8.GetBytes(Document(Parameter(tensor))), "models/m.safetensors")!;

        var chunks = metadata.Parameters["w"].Tensor.Chunks!;
        Assert.Equal(8, chunks.ChunkBytes);
        Assert.Equal(new ulong[] { 1, ulong.MaxValue }, chunks.Hashes);
        Assert.Contains("\"xxh3_chunks\": {\n          \"bytes\": 8,\n          \"hashes\": [\"0000000000000001\", \"ffffffffffffffff\"]\n        }\n", Encoding.UTF8.GetString(MetadataSerializer.Serialize(metadata)));
    }

    [Fact]
    public void The_helpers_make_valid_metadata()
    {
        var parsed = MetadataSerializer.TryParse(Encoding.UTF8.GetBytes(Document(Parameter())), "m");
        Assert.NotNull(parsed);
        Assert.Equal(new long[] { 1, 2 }, parsed.Parameters["w"].Tensor.Lsh.Values);
    }

    [Fact]
    public void Leading_whitespace_and_any_key_order_are_accepted()
    {
        var json = "\n  {\"parameters\":{},\"checkpoint\":{\"container\":{\"size\":10,\"oid\":\"" + GoodOid + "\"},\"type\":\"safetensors\"},\"format\":\"git-theta/1\"}";
        Assert.NotNull(MetadataSerializer.TryParse(Encoding.UTF8.GetBytes(json), "m"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(10000)]
    public void Random_bytes_are_not_metadata(int length)
    {
        Assert.Null(MetadataSerializer.TryParse(TestData.RandomBytes(length + 7, length), "m"));
    }

    [Fact]
    public void A_safetensors_file_is_not_metadata_even_when_it_mentions_git_theta()
    {
        var file = new SafetensorsFileBuilder()
            .AddMetadata("format", "git-theta/1")
            .Add("w", "F32", new long[] { 2 }, new byte[8])
            .Build();
        Assert.Null(MetadataSerializer.TryParse(file, "m"));
    }

    [Fact]
    public void A_safetensors_file_whose_length_byte_is_an_open_brace_is_not_metadata()
    {
        // 123 == '{': the first byte of the length prefix looks like JSON.
        var header = "{\"__metadata__\":{\"format\":\"git-theta/1\"},\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        var file = SafetensorsFileBuilder.FromJson(header.PadRight(123), 1);
        Assert.Equal((byte)'{', file[0]);
        Assert.True(MetadataSerializer.LooksLikeMetadata(file));
        Assert.Null(MetadataSerializer.TryParse(file, "m"));
    }

    [Theory]
    [InlineData("{\"checkpoint\":{},\"parameters\":{}}")]
    [InlineData("{\"name\":\"git-theta/1\"}")]
    [InlineData("{\"format\":1,\"x\":\"git-theta/1\"}")]
    [InlineData("{\"format\":\"safetensors\",\"x\":\"git-theta/1\"}")]
    [InlineData("[\"git-theta/1\"]")]
    [InlineData("{\"format\":\"git-theta/1\"")]
    [InlineData("{\"format\":\"git-theta/1\"} trailing")]
    public void Json_that_does_not_declare_a_git_theta_format_is_not_metadata(string json)
    {
        Assert.Null(MetadataSerializer.TryParse(Encoding.UTF8.GetBytes(json), "m"));
    }

    [Fact]
    public void Parse_of_non_metadata_throws_GT2006()
    {
        Assert.Throws<ThetaException>(() => MetadataSerializer.Parse("{}"u8, "m"));
        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => MetadataSerializer.Parse("hello"u8, "m"));
    }

    [Theory]
    [InlineData("git-theta/3")]
    [InlineData("git-theta/1.1")]
    [InlineData("git-theta/")]
    public void A_newer_or_unknown_format_version_is_refused(string format)
    {
        var exception = Malformed(Document(Parameter(), format: format));
        Assert.Contains(format, exception.Message);
    }

    [Theory]
    [InlineData("ABCDEF")]
    [InlineData("zz")]
    [InlineData("short")]
    [InlineData("upper")]
    [InlineData("long")]
    public void A_bad_object_id_is_malformed(string kind)
    {
        var oid = kind switch
        {
            "ABCDEF" => GoodOid.ToUpperInvariant(),
            "zz" => "zz" + GoodOid[2..],
            "short" => GoodOid[..63],
            "long" => GoodOid + "0",
            _ => GoodOid[..63] + "A",
        };
        Malformed(Document(Parameter(@object: "{\"oid\":\"" + oid + "\",\"size\":5}")));
        Malformed(Document(container: "{\"oid\":\"" + oid + "\",\"size\":5}"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("\"5\"")]
    [InlineData("null")]
    public void A_bad_object_size_is_malformed(string size)
    {
        Malformed(Document(Parameter(@object: "{\"oid\":\"" + GoodOid + "\",\"size\":" + size + "}")));
    }

    [Theory]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[-2],\"lsh\":[]}")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[2.5],\"lsh\":[]}")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[\"2\"],\"lsh\":[]}")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":2,\"lsh\":[]}")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[2],\"lsh\":[0.5]}")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[2],\"lsh\":[\"1\"]}")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[2]}")]
    [InlineData("{\"dtype\":\"F32\",\"lsh\":[]}")]
    [InlineData("{\"shape\":[2],\"lsh\":[]}")]
    [InlineData("[]")]
    public void A_bad_tensor_description_is_malformed(string tensor)
    {
        var exception = Malformed(Document(Parameter(tensor: tensor)));
        Assert.Contains("'w'", exception.Message);
    }

    [Fact]
    public void An_unknown_dtype_in_metadata_is_unsupported()
    {
        ThetaAssert.Throws(DiagnosticIds.UnsupportedDType, () => MetadataSerializer.TryParse(Encoding.UTF8.GetBytes(Document(Parameter(tensor: "{\"dtype\":\"F128\",\"shape\":[2],\"lsh\":[]}"))), "m"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"type\":3}")]
    [InlineData("{\"type\":\"sparse\",\"base\":7}")]
    [InlineData("{\"type\":\"sparse\",\"rank\":[1]}")]
    [InlineData("\"dense\"")]
    public void A_bad_update_description_is_malformed(string update)
    {
        Malformed(Document(Parameter(update: update)));
    }

    [Theory]
    [InlineData("{\"format\":\"git-theta/1\",\"parameters\":{}}")]
    [InlineData("{\"format\":\"git-theta/1\",\"checkpoint\":{\"type\":\"safetensors\"},\"parameters\":{}}")]
    [InlineData("{\"format\":\"git-theta/1\",\"checkpoint\":{\"container\":{}},\"parameters\":{}}")]
    [InlineData("{\"format\":\"git-theta/1\",\"checkpoint\":[],\"parameters\":{}}")]
    public void A_missing_or_malformed_checkpoint_section_is_malformed(string json)
    {
        Malformed(json);
    }

    [Fact]
    public void Missing_parameters_section_is_malformed()
    {
        Malformed("{\"format\":\"git-theta/1\",\"checkpoint\":{\"type\":\"safetensors\",\"container\":{\"oid\":\"" + GoodOid + "\",\"size\":10}}}");
    }

    [Fact]
    public void A_parameter_that_is_not_an_object_is_malformed()
    {
        Malformed(Document("\"w\":[1,2]"));
    }

    [Fact]
    public void A_parameter_missing_its_object_or_update_is_malformed()
    {
        Malformed(Document("\"w\":{\"tensor\":{\"dtype\":\"F32\",\"shape\":[2],\"lsh\":[]},\"update\":{\"type\":\"dense\"}}"));
        Malformed(Document("\"w\":{\"tensor\":{\"dtype\":\"F32\",\"shape\":[2],\"lsh\":[]},\"object\":{\"oid\":\"" + GoodOid + "\",\"size\":5}}"));
    }

    [Fact]
    public void A_parameter_named_twice_is_malformed()
    {
        var exception = Malformed(Document(Parameter() + "," + Parameter()));
        Assert.Contains("twice", exception.Message);
    }
}
