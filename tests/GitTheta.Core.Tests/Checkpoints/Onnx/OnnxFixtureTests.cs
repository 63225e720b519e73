using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.Onnx;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Checkpoints.Onnx;

/// <summary>The model torch.onnx.export wrote (tests/fixtures/onnx), through the reader and writer.</summary>
public class OnnxFixtureTests
{
    private const string Fixture = "onnx/mlp.onnx";
    private static readonly OnnxFormat Format = new();

    [Fact]
    public void The_exported_model_and_its_changed_version_are_rebuilt_byte_for_byte()
    {
        Assert.Equal(FormatFixtures.Read(Fixture), FormatFixtures.RoundTrip(Format, FormatFixtures.Read(Fixture)));
        Assert.Equal(FormatFixtures.ReadChanged(Fixture), FormatFixtures.RoundTrip(Format, FormatFixtures.ReadChanged(Fixture)));
    }

    [Fact]
    public void Every_initializer_is_a_group_with_its_dtype_and_shape()
    {
        var groups = FormatFixtures.ReadAll(Format, FormatFixtures.Read(Fixture)).Groups.Select(g => g.Info).ToList();
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, groups.Select(g => g.Name));
        Assert.All(groups, g => Assert.Equal(DType.F32, g.DType));
        Assert.Equal(new long[] { 8, 4 }, groups[0].Shape);
        Assert.Equal(new long[] { 3 }, groups[3].Shape);
    }

    [Fact]
    public void Changing_one_initializer_changes_one_group_and_nothing_in_the_container()
    {
        var original = FormatFixtures.ReadAll(Format, FormatFixtures.Read(Fixture));
        var changed = FormatFixtures.ReadAll(Format, FormatFixtures.ReadChanged(Fixture));
        Assert.Equal(original.Container, changed.Container);
        var differing = original.Groups.Zip(changed.Groups).Where(p => !p.First.Data.AsSpan().SequenceEqual(p.Second.Data)).Select(p => p.First.Info.Name);
        Assert.Equal(new[] { FormatFixtures.ChangedTensor(Fixture) }, differing);
    }

    [Fact]
    public void The_model_is_sniffed_as_onnx_and_text_is_not()
    {
        var bytes = FormatFixtures.Read(Fixture);
        Assert.Equal(OnnxFormat.FormatName, CheckpointFormatRegistry.Default.Detect(bytes.AsSpan(0, Math.Min(4096, bytes.Length)), "model.bin")?.Name);
        Assert.False(Format.Sniff("just some text\n"u8));
        Assert.False(Format.Sniff(new byte[] { 0x08, 0x07, 0xFF, 0xFF, 0xFF, 0xFF }));
    }
}
