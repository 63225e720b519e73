using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Checkpoints.PyTorch;

/// <summary>The checkpoints real PyTorch wrote (tests/fixtures/pytorch), through the reader and writer.</summary>
public class PyTorchFixtureTests
{
    private static readonly PyTorchFormat Format = new();

    public static TheoryData<string> Fixtures() => new()
    {
        "pytorch/transformer_encoder.pt",
        "pytorch/tied_lm.pt",
        "pytorch/bf16_state_dict.pt",
        "pytorch/nested.pt",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_fixture_and_its_changed_version_is_rebuilt_byte_for_byte(string fixture)
    {
        var original = FormatFixtures.Read(fixture);
        Assert.Equal(original, FormatFixtures.RoundTrip(Format, original));
        var changed = FormatFixtures.ReadChanged(fixture);
        Assert.Equal(changed, FormatFixtures.RoundTrip(Format, changed));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Changing_one_tensor_changes_one_group_and_the_same_container_rebuilds_the_changed_file_with_new_crcs(string fixture)
    {
        var original = FormatFixtures.ReadAll(Format, FormatFixtures.Read(fixture));
        var changedFile = FormatFixtures.ReadChanged(fixture);
        var changed = FormatFixtures.ReadAll(Format, changedFile);

        Assert.Equal(original.Container, changed.Container);
        var differing = original.Groups.Zip(changed.Groups).Where(p => !p.First.Data.AsSpan().SequenceEqual(p.Second.Data)).Select(p => p.First.Info.Name).ToList();
        Assert.Equal(new[] { FormatFixtures.ChangedTensor(fixture) }, differing);

        // The original container with the changed values gives the changed file: the CRC-32s are recomputed.
        Assert.Equal(changedFile, FormatFixtures.Write(Format, original.Container, changed.Groups.ToDictionary(g => g.Info.Name, g => g.Data)));
    }

    [Fact]
    public void A_transformer_encoder_state_dict_has_one_group_per_tensor_with_its_shape()
    {
        var groups = Format.DescribeContainer(FormatFixtures.ReadAll(Format, FormatFixtures.Read("pytorch/transformer_encoder.pt")).Container, "m");
        var byName = groups.ToDictionary(g => g.Name);
        Assert.Equal(2 * 12, groups.Count);
        Assert.Equal(new long[] { 96, 32 }, byName["layers.0.self_attn.in_proj_weight"].Shape);
        Assert.Equal(new long[] { 96 }, byName["layers.0.self_attn.in_proj_bias"].Shape);
        Assert.Equal(new long[] { 64, 32 }, byName["layers.1.linear1.weight"].Shape);
        Assert.Equal(new long[] { 32 }, byName["layers.1.norm2.bias"].Shape);
        Assert.All(groups, g => Assert.Equal(DType.F32, g.DType));
    }

    [Fact]
    public void Tied_weights_are_one_group_named_after_the_first_key()
    {
        var read = FormatFixtures.ReadAll(Format, FormatFixtures.Read("pytorch/tied_lm.pt"));
        var names = read.Groups.Select(g => g.Info.Name).ToList();
        Assert.Contains("embed.weight", names);
        Assert.DoesNotContain("head.weight", names);
        Assert.Equal(new long[] { 50, 16 }, read.Groups.Single(g => g.Info.Name == "embed.weight").Info.Shape);
        Assert.Equal(3, names.Count);
    }

    [Fact]
    public void A_bf16_state_dict_keeps_bf16()
    {
        var groups = FormatFixtures.ReadAll(Format, FormatFixtures.Read("pytorch/bf16_state_dict.pt")).Groups;
        Assert.Equal(4, groups.Count);
        Assert.All(groups, g => Assert.Equal(DType.BF16, g.Info.DType));
        Assert.Equal(new long[] { 32, 24 }, groups.Single(g => g.Info.Name == "0.weight").Info.Shape);
    }

    [Fact]
    public void Nested_keys_are_joined_with_slashes_and_views_that_are_not_plain_are_their_whole_storage()
    {
        var groups = FormatFixtures.ReadAll(Format, FormatFixtures.Read("pytorch/nested.pt")).Groups.ToDictionary(g => g.Info.Name, g => g.Info);
        AssertGroup(groups["model/encoder/weight"], DType.F32, 4, 3);
        // x.t() of a [6, 5] tensor: strides (1, 5), so the group is the 30-element storage.
        Assert.Equal(new long[] { 30 }, groups["model/encoder/weight_t"].Shape);
        Assert.Equal(DType.F32, groups["model/blocks/0"].DType);
        AssertGroup(groups["model/blocks/1"], DType.F16, 2, 2);
        AssertGroup(groups["mask"], DType.BOOL, 2, 3);
        // wide[5:12] of a 20-element tensor: offset 5, so the group is the 20-element storage.
        Assert.Equal(new long[] { 20 }, groups["window"].Shape);
        Assert.Equal(DType.I64, groups["counts"].DType);
        Assert.Equal(DType.I8, groups["small_ints/i8"].DType);
        Assert.Equal(DType.U8, groups["small_ints/u8"].DType);
        Assert.Equal(DType.I16, groups["small_ints/i16"].DType);
        Assert.Equal(DType.I32, groups["small_ints/i32"].DType);
        Assert.Equal(DType.F64, groups["f64"].DType);
        Assert.Empty(groups["scalar"].Shape);
        Assert.Equal(13, groups.Count);
    }

    private static void AssertGroup(TensorInfo info, DType dtype, params long[] shape)
    {
        Assert.Equal(dtype, info.DType);
        Assert.Equal(shape, info.Shape);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixtures_are_sniffed_as_pytorch(string fixture)
    {
        var bytes = FormatFixtures.Read(fixture);
        Assert.Same(Format.Name, GitTheta.Core.Checkpoints.CheckpointFormatRegistry.Default.Detect(bytes.AsSpan(0, Math.Min(4096, bytes.Length)), "x.bin")?.Name);
    }
}
