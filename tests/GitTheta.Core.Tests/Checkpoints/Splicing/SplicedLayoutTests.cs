using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.Gguf;
using GitTheta.Core.Checkpoints.Onnx;
using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.Splicing;

/// <summary>The container of the PyTorch, ONNX and GGUF formats: its encoding, and damaged stored containers.</summary>
public class SplicedLayoutTests
{
    private static SplicedLayout Sample() => new(
        "pytorch",
        new[]
        {
            new SplicedGroup(new TensorInfo("a", DType.F32, new long[] { 2 }), 7, new long[] { 0, 10 }),
            new SplicedGroup(new TensorInfo("b/c", DType.BF16, Array.Empty<long>()), 14, Array.Empty<long>()),
        },
        "0123456789abcdef"u8.ToArray(),
        new byte[] { 9, 8 });

    [Fact]
    public void A_layout_serializes_deterministically_and_parses_back()
    {
        var bytes = Sample().Serialize();
        Assert.Equal(bytes, Sample().Serialize());
        var parsed = SplicedLayout.Parse(bytes, "pytorch", "m");
        Assert.Equal(new[] { "a", "b/c" }, parsed.Groups.Select(g => g.Info.Name));
        Assert.Equal(new long[] { 0, 10 }, parsed.Groups[0].Crc32At);
        Assert.Equal(DType.BF16, parsed.Groups[1].Info.DType);
        Assert.Empty(parsed.Groups[1].Info.Shape);
        Assert.Equal("0123456789abcdef"u8.ToArray(), parsed.Skeleton.ToArray());
        Assert.Equal(new byte[] { 9, 8 }, parsed.Extra.ToArray());
    }

    [Fact]
    public void A_group_over_2_GiB_whose_crc_comes_before_its_data_is_refused_before_anything_is_read()
    {
        // 3 GiB of U8 whose CRC-32 field (at 0) precedes the data (at 4): it would have to be held whole.
        var huge = new SplicedGroup(new TensorInfo("huge", DType.U8, new long[] { 3L << 30 }), 4, new long[] { 0 });
        var layout = new SplicedLayout(PyTorchFormat.FormatName, new[] { huge }, new byte[4], ReadOnlyMemory<byte>.Empty);
        var output = new MemoryStream();

        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => SplicedWriter.Write(layout, new InMemoryTensorSource(new Dictionary<string, byte[]>()), output));

        Assert.Contains("'huge' is 3221225472 bytes and its archive stores the CRC-32 before the data", error.Message);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void The_writer_splices_groups_in_and_fills_the_crc_fields()
    {
        var output = new MemoryStream();
        SplicedWriter.Write(Sample(), new InMemoryTensorSource(new Dictionary<string, byte[]> { ["a"] = new byte[8], ["b/c"] = new byte[] { 1, 2 } }), output);
        var expected = "0123456"u8.ToArray().Concat(new byte[8]).Concat("789abcd"u8.ToArray()).Concat(new byte[] { 1, 2 }).Concat("ef"u8.ToArray()).ToArray();
        var crc = BitConverter.GetBytes(System.IO.Hashing.Crc32.HashToUInt32(new byte[8]));
        // CRC positions are skeleton offsets: 0 (before the data, so the group is buffered first) and 10 (after it).
        crc.CopyTo(expected, 0);
        crc.CopyTo(expected, 10 + 8);
        Assert.Equal(expected, output.ToArray());
    }

    [Theory]
    [InlineData("magic")]
    [InlineData("format")]
    [InlineData("truncated")]
    [InlineData("trailing")]
    [InlineData("dtype")]
    [InlineData("order")]
    [InlineData("position")]
    [InlineData("crc")]
    [InlineData("count")]
    public void A_damaged_container_is_a_corrupt_object(string kind)
    {
        var good = Sample().Serialize();
        var bytes = kind switch
        {
            "magic" => "XXXX"u8.ToArray().Concat(good[4..]).ToArray(),
            "format" => new SplicedLayout("onnx", Sample().Groups, Sample().Skeleton, Sample().Extra).Serialize(),
            "truncated" => good[..^1],
            "trailing" => good.Concat(new byte[1]).ToArray(),
            "dtype" => new SplicedLayout("pytorch", new[] { new SplicedGroup(new TensorInfo("a", DType.F32, new long[] { 1 }), 0, Array.Empty<long>()) }, new byte[4], default).Serialize().Select(b => b == (byte)'F' ? (byte)'Q' : b).ToArray(),
            "order" => Layout(new SplicedGroup(new TensorInfo("a", DType.U8, new long[] { 1 }), 3, Array.Empty<long>()), new SplicedGroup(new TensorInfo("b", DType.U8, new long[] { 1 }), 2, Array.Empty<long>())),
            "position" => Layout(new SplicedGroup(new TensorInfo("a", DType.U8, new long[] { 1 }), 17, Array.Empty<long>())),
            "crc" => Layout(new SplicedGroup(new TensorInfo("a", DType.U8, new long[] { 1 }), 0, new long[] { 13 })),
            _ => good[..9].Concat(ProtoVarint(1UL << 40)).ToArray(),
        };
        var error = ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => SplicedLayout.Parse(bytes, "pytorch", "models/m.pt"));
        Assert.Contains("models/m.pt", error.Message);
    }

    [Fact]
    public void Each_format_checks_that_the_container_is_its_own()
    {
        var container = Sample().Serialize();
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => new OnnxFormat().DescribeContainer(container, "m.onnx"));
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => new GgufFormat().DescribeContainer(container, "m.gguf"));
        Assert.Equal(2, new PyTorchFormat().DescribeContainer(container, "m.pt").Count);
    }

    [Fact]
    public void Detection_sniffs_each_format_then_falls_back_to_the_extension()
    {
        var registry = CheckpointFormatRegistry.Default;
        Assert.Equal("safetensors, pytorch, onnx, gguf, torchsharp", registry.SupportedNames);
        var garbage = "neither of them"u8.ToArray();
        Assert.Equal("pytorch", registry.Detect(garbage, "m.pth")?.Name);
        Assert.Equal("pytorch", registry.Detect(garbage, "m.ckpt")?.Name);
        Assert.Equal("onnx", registry.Detect(garbage, "m.ONNX")?.Name);
        Assert.Equal("gguf", registry.Detect(garbage, "m.gguf")?.Name);
        Assert.Null(registry.Detect(garbage, "m.bin"));
        Assert.Equal("gguf", registry.Detect(FormatFixtures.Read("gguf/tiny.gguf").AsSpan(0, 64), "m.pt")?.Name);
    }

    private static byte[] Layout(params SplicedGroup[] groups) => new SplicedLayout("pytorch", groups, "0123456789abcdef"u8.ToArray(), default).Serialize();

    private static byte[] ProtoVarint(ulong value)
    {
        var output = new List<byte>();
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
        return output.ToArray();
    }
}
