using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints;

public class SafetensorsFormatTests
{
    private static readonly SafetensorsFormat Format = new();

    private static byte[] Rebuild(byte[] file)
    {
        var read = CheckpointReading.ReadAll(file);
        var output = new MemoryStream();
        Format.Write(read.Container, new InMemoryTensorSource(read.Groups.ToDictionary(g => g.Name, g => g.Data)), output, "m.safetensors");
        return output.ToArray();
    }

    [Theory]
    [InlineData(8, false, false)]
    [InlineData(1, false, false)]
    [InlineData(64, true, false)]
    [InlineData(8, true, true)]
    [InlineData(3, false, true)]
    public void Write_rebuilds_the_file_byte_for_byte(int alignment, bool reverseJson, bool metadataLast)
    {
        var file = new SafetensorsFileBuilder { HeaderAlignment = alignment, ReverseJsonOrder = reverseJson, MetadataLast = metadataLast }
            .AddMetadata("format", "pt")
            .Add("encoder.weight", "F32", new long[] { 4, 3 }, TestData.RandomF32Bytes(1, 12))
            .Add("encoder.bias", "F32", new long[] { 3 }, TestData.RandomF32Bytes(2, 3))
            .Add("step", "I64", Array.Empty<long>(), BitConverter.GetBytes(1234L))
            .Build();
        Assert.Equal(file, Rebuild(file));
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Every_dtype_round_trips_bit_exactly(DType dtype)
    {
        var size = DTypes.SizeOf(dtype);
        var data = TestData.RandomBytes((int)dtype + 100, 3 * 5 * size);
        var file = new SafetensorsFileBuilder()
            .Add("before", "U8", new long[] { 3 }, new byte[] { 1, 2, 3 })
            .Add("value", DTypes.Name(dtype), new long[] { 3, 5 }, data)
            .Build();
        var read = CheckpointReading.ReadAll(file);
        Assert.Equal(data, read.Groups[1].Data);
        Assert.Equal(dtype, Format.DescribeContainer(read.Container, "m").Single(t => t.Name == "value").DType);
        Assert.Equal(file, Rebuild(file));
    }

    public static TheoryData<DType> AllDTypes()
    {
        var data = new TheoryData<DType>();
        foreach (var dtype in Enum.GetValues<DType>())
        {
            data.Add(dtype);
        }

        return data;
    }

    [Fact]
    public void Write_asks_for_groups_in_data_order()
    {
        var file = new SafetensorsFileBuilder { ReverseJsonOrder = true }
            .Add("b", "U8", new long[] { 2 }, new byte[] { 1, 2 })
            .Add("a", "U8", new long[] { 1 }, new byte[] { 3 })
            .Build();
        var read = CheckpointReading.ReadAll(file);
        var source = new InMemoryTensorSource(read.Groups.ToDictionary(g => g.Name, g => g.Data));
        Format.Write(read.Container, source, new MemoryStream(), "m");
        Assert.Equal(new[] { "b", "a" }, source.Requested);
    }

    [Fact]
    public void DescribeContainer_lists_the_groups_in_file_order()
    {
        var file = new SafetensorsFileBuilder { ReverseJsonOrder = true }
            .Add("x", "BF16", new long[] { 2, 2 }, new byte[8])
            .Add("y", "BOOL", new long[] { 3 }, new byte[3])
            .Build();
        var layout = Format.DescribeContainer(CheckpointReading.ReadAll(file).Container, "m");
        Assert.Equal(new[] { "x", "y" }, layout.Select(t => t.Name));
        Assert.Equal(new[] { DType.BF16, DType.BOOL }, layout.Select(t => t.DType));
        Assert.Equal(new long[] { 2, 2 }, layout[0].Shape);
    }

    [Fact]
    public void A_container_too_short_or_inconsistent_is_a_corrupt_object()
    {
        var container = CheckpointReading.ReadAll(new SafetensorsFileBuilder().Add("x", "U8", new long[] { 1 }, new byte[1]).Build()).Container;
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => Format.DescribeContainer(container[..5], "m"));
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => Format.DescribeContainer(container[..^1], "m"));
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => Format.Write(container.Concat(new byte[] { 32 }).ToArray(), new InMemoryTensorSource(new Dictionary<string, byte[]>()), new MemoryStream(), "m"));
    }

    [Fact]
    public void Sniff_recognises_safetensors_and_nothing_else()
    {
        var file = new SafetensorsFileBuilder().Add("x", "U8", new long[] { 1 }, new byte[1]).Build();
        Assert.True(Format.Sniff(file));
        Assert.True(Format.Sniff(file.AsSpan(0, Format.SniffLength)));
        Assert.False(Format.Sniff(file.AsSpan(0, 8)));
        Assert.False(Format.Sniff(SafetensorsFileBuilder.Assemble(1UL << 40, "{}"u8.ToArray(), Array.Empty<byte>())));
        Assert.False(Format.Sniff(SafetensorsFileBuilder.Assemble(1, "{"u8.ToArray(), Array.Empty<byte>())));
        Assert.False(Format.Sniff(SafetensorsFileBuilder.Assemble("[1]   "u8.ToArray(), Array.Empty<byte>())));
        Assert.False(Format.Sniff("{\n  \"format\": \"git-theta/1\"\n}\n"u8));
        Assert.False(Format.Sniff(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void The_default_registry_detects_safetensors_and_refuses_unknown_names()
    {
        var file = new SafetensorsFileBuilder().Add("x", "U8", new long[] { 1 }, new byte[1]).Build();
        var registry = CheckpointFormatRegistry.Default;
        Assert.Same(registry.Formats.Single(f => f.Name == SafetensorsFormat.FormatName), registry.Detect(file));
        Assert.Null(registry.Detect(TestData.RandomBytes(5, 64).Select(b => (byte)(b | 0x80)).ToArray()));
        Assert.Equal(SafetensorsFormat.FormatName, registry.Get("SafeTensors", "m").Name);
        var error = ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => registry.Get("tflite", "models/m.tflite"));
        Assert.Contains("tflite", error.Message);
        Assert.Contains("safetensors", error.Message);
    }
}
