using GitTheta.Core.Checkpoints.Gguf;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.Gguf;

/// <summary>GGUF files from an independent writer: every GGML type, alignments, versions, and hostile headers.</summary>
public class GgufParserTests
{
    private static readonly GgufFormat Format = new();

    /// <summary>Every GGML type git-theta knows: id, elements per block, bytes per block (from ggml.c's type traits).</summary>
    public static TheoryData<uint, int, int> Types() => new()
    {
        { 0, 1, 4 }, { 1, 1, 2 }, { 2, 32, 18 }, { 3, 32, 20 }, { 6, 32, 22 }, { 7, 32, 24 }, { 8, 32, 34 }, { 9, 32, 36 },
        { 10, 256, 84 }, { 11, 256, 110 }, { 12, 256, 144 }, { 13, 256, 176 }, { 14, 256, 210 }, { 15, 256, 292 },
        { 16, 256, 66 }, { 17, 256, 74 }, { 18, 256, 98 }, { 19, 256, 50 }, { 20, 32, 18 }, { 21, 256, 110 }, { 22, 256, 82 },
        { 23, 256, 136 }, { 24, 1, 1 }, { 25, 1, 2 }, { 26, 1, 4 }, { 27, 1, 8 }, { 28, 1, 8 }, { 29, 256, 56 }, { 30, 1, 2 },
        { 34, 256, 54 }, { 35, 256, 66 }, { 39, 32, 17 },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void A_tensor_of_every_ggml_type_is_a_group_of_the_right_size_and_round_trips(uint type, int blockSize, int typeSize)
    {
        var data = TestData.RandomBytes((int)type, 2 * 3 * typeSize);
        var file = new GgufBuilder { Alignment = 16 }
            .Key("general.architecture", 8, GgufBuilder.String("test"))
            .Tensor("before", new ulong[] { 3 }, 0, new byte[12])
            .Tensor("t", new ulong[] { (ulong)(3 * blockSize), 2 }, type, data)
            .Build();
        var read = FormatFixtures.ReadAll(Format, file);
        var group = read.Groups.Single(g => g.Info.Name == "t");
        Assert.Equal(data, group.Data);
        Assert.Equal(2, group.Info.Shape[0]);
        if (blockSize == 1)
        {
            Assert.NotEqual(DType.U8, group.Info.DType);
            Assert.Equal(3, group.Info.Shape[1]);
        }
        else
        {
            Assert.Equal((DType.U8, 3L * typeSize), (group.Info.DType, group.Info.Shape[1]));
        }

        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));
    }

    [Theory]
    [InlineData(2u, null)]
    [InlineData(3u, null)]
    [InlineData(3u, 1u)]
    [InlineData(3u, 4096u)]
    public void Versions_2_and_3_with_default_and_custom_alignment_round_trip(uint version, uint? alignment)
    {
        var file = new GgufBuilder { Version = version, Alignment = alignment }
            .Key("tokenizer.ggml.tokens", 9, GgufBuilder.Concat(GgufBuilder.U32(8), GgufBuilder.U64(2), GgufBuilder.String("a"), GgufBuilder.String("bc")))
            .Key("some.bool", 7, new byte[] { 1 })
            .Key("some.f64", 12, new byte[8])
            .Tensor("a", new ulong[] { 5 }, 0, new byte[20])
            .Tensor("b", new ulong[] { 32, 1 }, 8, new byte[34])
            .Build();
        Assert.Equal(new[] { "a", "b" }, FormatFixtures.ReadAll(Format, file).Groups.Select(g => g.Info.Name));
        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));
    }

    [Fact]
    public void A_file_without_tensors_round_trips()
    {
        var file = new GgufBuilder().Key("general.name", 8, GgufBuilder.String("empty")).Build();
        Assert.Empty(FormatFixtures.ReadAll(Format, file).Groups);
        Assert.Equal(file, FormatFixtures.RoundTrip(Format, file));
    }

    [Theory]
    [InlineData("2^40-tensors", DiagnosticIds.InvalidCheckpoint, "1099511627776 tensors")]
    [InlineData("2^40-keys", DiagnosticIds.InvalidCheckpoint, "1099511627776 metadata entries")]
    [InlineData("huge-string", DiagnosticIds.TruncatedCheckpoint, "claims 1099511627776 bytes")]
    [InlineData("huge-array", DiagnosticIds.TruncatedCheckpoint, "claims 1099511627776 elements")]
    [InlineData("huge-string-array", DiagnosticIds.InvalidCheckpoint, "1099511627776 elements in metadata")]
    [InlineData("nested-arrays", DiagnosticIds.InvalidCheckpoint, "nests arrays")]
    [InlineData("past-end", DiagnosticIds.TruncatedCheckpoint, "past the end of the file")]
    [InlineData("truncated-data", DiagnosticIds.TruncatedCheckpoint, "past the end of the file")]
    [InlineData("overlap", DiagnosticIds.InvalidCheckpoint, "overlaps")]
    [InlineData("misaligned", DiagnosticIds.InvalidCheckpoint, "not a multiple of the alignment")]
    [InlineData("unknown-type", DiagnosticIds.UnsupportedDType, "GGML type 99")]
    [InlineData("rank-5", DiagnosticIds.InvalidCheckpoint, "5 dimensions")]
    [InlineData("partial-block", DiagnosticIds.InvalidCheckpoint, "block size 32")]
    [InlineData("huge-shape", DiagnosticIds.InvalidCheckpoint, "too large")]
    [InlineData("duplicate", DiagnosticIds.InvalidCheckpoint, "declared twice")]
    [InlineData("version-1", DiagnosticIds.InvalidCheckpoint, "version 1")]
    [InlineData("big-endian", DiagnosticIds.InvalidCheckpoint, "big-endian")]
    [InlineData("bad-alignment", DiagnosticIds.InvalidCheckpoint, "power of two")]
    [InlineData("trailing", DiagnosticIds.InvalidCheckpoint, "follow the last tensor")]
    [InlineData("unknown-value-type", DiagnosticIds.InvalidCheckpoint, "unknown value type")]
    [InlineData("empty", DiagnosticIds.TruncatedCheckpoint, "empty")]
    [InlineData("header-only", DiagnosticIds.TruncatedCheckpoint, "ends inside")]
    public void Hostile_headers_are_refused_with_one_clear_error_and_bounded_memory(string kind, string code, string message)
    {
        GgufBuilder Good() => new GgufBuilder().Key("general.name", 8, GgufBuilder.String("x")).Tensor("w", new ulong[] { 4 }, 0, new byte[16]);
        var file = kind switch
        {
            "2^40-tensors" => WithCounts(Good(), tensors: 1UL << 40),
            "2^40-keys" => WithCounts(Good(), keys: 1UL << 40),
            "huge-string" => new GgufBuilder().Key("k", 8, GgufBuilder.U64(1UL << 40)).Build(),
            "huge-array" => new GgufBuilder().Key("k", 9, GgufBuilder.Concat(GgufBuilder.U32(0), GgufBuilder.U64(1UL << 40))).Build(),
            "huge-string-array" => new GgufBuilder().Key("k", 9, GgufBuilder.Concat(GgufBuilder.U32(8), GgufBuilder.U64(1UL << 40))).Build(),
            "nested-arrays" => new GgufBuilder().Key("k", 9, Nested(20)).Build(),
            "past-end" => Patch(Good().Build(), "w", 4 + 8 + 4, GgufBuilder.U64(1UL << 20)),
            "truncated-data" => Good().Build()[..^20],
            "overlap" => Patch(new GgufBuilder().Tensor("a", new ulong[] { 16 }, 0, new byte[64]).Tensor("b", new ulong[] { 4 }, 0, new byte[16]).Build(), "b", 4 + 8 + 4, GgufBuilder.U64(32)),
            "misaligned" => Patch(Good().Build(), "w", 4 + 8 + 4, GgufBuilder.U64(4)),
            "unknown-type" => new GgufBuilder().Tensor("w", new ulong[] { 4 }, 99, new byte[16]).Build(),
            "rank-5" => new GgufBuilder().Tensor("w", new ulong[] { 1, 1, 1, 1, 4 }, 0, new byte[16]).Build(),
            "partial-block" => new GgufBuilder().Tensor("w", new ulong[] { 16 }, 8, new byte[17]).Build(),
            "huge-shape" => new GgufBuilder().Tensor("w", new ulong[] { 1UL << 40, 1UL << 40 }, 0, new byte[16]).Build(),
            "duplicate" => new GgufBuilder().Tensor("w", new ulong[] { 4 }, 0, new byte[16]).Tensor("w", new ulong[] { 4 }, 0, new byte[16]).Build(),
            "version-1" => new GgufBuilder { Version = 1 }.Build(),
            "big-endian" => new GgufBuilder { Version = 0x03000000 }.Build(),
            "bad-alignment" => new GgufBuilder { Alignment = 24 }.Build(),
            "trailing" => Good().Build().Concat(new byte[100]).ToArray(),
            "unknown-value-type" => new GgufBuilder().Key("k", 77, new byte[8]).Build(),
            "header-only" => Good().Build()[..30],
            _ => Array.Empty<byte>(),
        };
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ThetaException>(() => FormatFixtures.ReadAll(Format, file));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (4 << 20), "refusing the file allocated more than 4 MiB");
        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Sniffing_needs_the_magic()
    {
        Assert.True(Format.Sniff(new GgufBuilder().Build()));
        Assert.True(Format.Sniff(new GgufBuilder { Version = 1 }.Build()));
        Assert.False(Format.Sniff("GGML0000"u8));
        Assert.False(Format.Sniff("GGU"u8));
    }

    private static byte[] WithCounts(GgufBuilder builder, ulong? tensors = null, ulong? keys = null)
    {
        builder.TensorCountOverride = tensors;
        builder.KeyCountOverride = keys;
        return builder.Build();
    }

    /// <summary>An array value nested <paramref name="depth"/> arrays deep.</summary>
    private static byte[] Nested(int depth) =>
        depth == 0
            ? GgufBuilder.Concat(GgufBuilder.U32(0), GgufBuilder.U64(1), new byte[] { 7 })
            : GgufBuilder.Concat(GgufBuilder.U32(9), GgufBuilder.U64(1), Nested(depth - 1));

    /// <summary>Overwrites bytes at <paramref name="after"/> bytes past the end of the tensor name <paramref name="name"/>'s length-prefixed string.</summary>
    private static byte[] Patch(byte[] file, string name, int after, byte[] value)
    {
        var copy = (byte[])file.Clone();
        var at = copy.AsSpan().IndexOf(GgufBuilder.String(name)) + GgufBuilder.String(name).Length + after;
        value.CopyTo(copy, at);
        return copy;
    }
}
