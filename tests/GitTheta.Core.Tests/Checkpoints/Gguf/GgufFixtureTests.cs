using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.Gguf;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Checkpoints.Gguf;

/// <summary>The GGUF file make_fixtures.py wrote from the specification (tests/fixtures/gguf), through the reader and writer.</summary>
public class GgufFixtureTests
{
    private const string Fixture = "gguf/tiny.gguf";
    private static readonly GgufFormat Format = new();

    [Fact]
    public void The_file_and_its_changed_version_are_rebuilt_byte_for_byte()
    {
        Assert.Equal(FormatFixtures.Read(Fixture), FormatFixtures.RoundTrip(Format, FormatFixtures.Read(Fixture)));
        Assert.Equal(FormatFixtures.ReadChanged(Fixture), FormatFixtures.RoundTrip(Format, FormatFixtures.ReadChanged(Fixture)));
    }

    [Fact]
    public void Float_and_integer_tensors_keep_their_dtype_and_quantized_ones_are_rows_of_raw_blocks()
    {
        var groups = FormatFixtures.ReadAll(Format, FormatFixtures.Read(Fixture)).Groups.ToDictionary(g => g.Info.Name, g => g.Info);
        Assert.Equal(7, groups.Count);
        Assert.Equal((DType.F32, "[32, 16]"), (groups["token_embd.weight"].DType, groups["token_embd.weight"].ShapeText));
        Assert.Equal((DType.U8, "[8, 68]"), (groups["blk.0.attn_q.weight"].DType, groups["blk.0.attn_q.weight"].ShapeText)); // Q8_0: 2 blocks of 34 bytes per row
        Assert.Equal((DType.U8, "[4, 36]"), (groups["blk.0.attn_k.weight"].DType, groups["blk.0.attn_k.weight"].ShapeText)); // Q4_0: 2 blocks of 18 bytes
        Assert.Equal((DType.U8, "[2, 144]"), (groups["blk.0.ffn_down.weight"].DType, groups["blk.0.ffn_down.weight"].ShapeText)); // Q4_K: 1 block of 144
        Assert.Equal((DType.F16, "[16]"), (groups["blk.0.attn_norm.weight"].DType, groups["blk.0.attn_norm.weight"].ShapeText));
        Assert.Equal((DType.BF16, "[2, 8]"), (groups["output_norm.bias"].DType, groups["output_norm.bias"].ShapeText));
        Assert.Equal((DType.I32, "[4]"), (groups["rope.ids"].DType, groups["rope.ids"].ShapeText));
    }

    [Fact]
    public void Changing_one_tensor_changes_one_group_and_nothing_in_the_container()
    {
        var original = FormatFixtures.ReadAll(Format, FormatFixtures.Read(Fixture));
        var changed = FormatFixtures.ReadAll(Format, FormatFixtures.ReadChanged(Fixture));
        Assert.Equal(original.Container, changed.Container);
        var differing = original.Groups.Zip(changed.Groups).Where(p => !p.First.Data.AsSpan().SequenceEqual(p.Second.Data)).Select(p => p.First.Info.Name);
        Assert.Equal(new[] { FormatFixtures.ChangedTensor(Fixture) }, differing);
    }

    [Fact]
    public void The_file_is_sniffed_as_gguf()
    {
        var bytes = FormatFixtures.Read(Fixture);
        Assert.Equal(GgufFormat.FormatName, CheckpointFormatRegistry.Default.Detect(bytes.AsSpan(0, 4096), "model.bin")?.Name);
    }
}
