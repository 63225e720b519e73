using System.Text;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints;

public class SafetensorsReaderTests
{
    private static readonly byte[] First = TestData.RandomBytes(1, 4 * 6);
    private static readonly byte[] Second = TestData.RandomBytes(2, 2 * 5);
    private static readonly byte[] Third = TestData.RandomBytes(3, 8);

    private static byte[] ThreeTensorFile(bool reverseJson) => new SafetensorsFileBuilder { ReverseJsonOrder = reverseJson }
        .AddMetadata("format", "pt")
        .Add("z.first", "F32", new long[] { 2, 3 }, First)
        .Add("a.second", "BF16", new long[] { 5 }, Second)
        .Add("m.third", "I64", Array.Empty<long>(), Third)
        .Build();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tensors_come_in_data_offset_order_whatever_the_json_order(bool reverseJson)
    {
        using var reader = new SafetensorsReader(new MemoryStream(ThreeTensorFile(reverseJson)), "m.safetensors");
        Assert.Equal(new[] { "z.first", "a.second", "m.third" }, reader.Tensors.Select(t => t.Name));
        var seen = new List<string>();
        while (reader.Next() is { } info)
        {
            seen.Add(info.Name);
            var data = new byte[info.ByteLength];
            Assert.Equal(data.Length, reader.ReadData(data));
            Assert.Equal(0, reader.ReadData(new byte[16]));
            Assert.Equal(info.Name switch { "z.first" => First, "a.second" => Second, _ => Third }, data);
        }

        Assert.Equal(new[] { "z.first", "a.second", "m.third" }, seen);
    }

    [Fact]
    public void Tensor_infos_carry_dtype_and_shape()
    {
        using var reader = new SafetensorsReader(new MemoryStream(ThreeTensorFile(false)), "m.safetensors");
        Assert.Equal("z.first", reader.Tensors[0].Name);
        Assert.Equal(DType.F32, reader.Tensors[0].DType);
        Assert.Equal(new long[] { 2, 3 }, reader.Tensors[0].Shape);
        Assert.Equal(DType.BF16, reader.Tensors[1].DType);
        Assert.Equal(new long[] { 5 }, reader.Tensors[1].Shape);
        Assert.Equal(DType.I64, reader.Tensors[2].DType);
        Assert.Empty(reader.Tensors[2].Shape);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 2)]
    [InlineData(4096, 4096)]
    public void Odd_read_sizes_and_a_trickling_input_give_the_same_bytes(int readSize, int trickle)
    {
        var file = ThreeTensorFile(true);
        var result = CheckpointReading.ReadAll(new TrickleStream(file, trickle), readSize);
        Assert.Equal(new[] { First, Second, Third }, result.Groups.Select(g => g.Data));
    }

    [Fact]
    public void Complete_returns_the_length_prefix_and_header_exactly_with_metadata_and_padding()
    {
        var file = new SafetensorsFileBuilder { HeaderAlignment = 64 }
            .AddMetadata("format", "pt")
            .AddMetadata("note", "kept as is")
            .Add("w", "F16", new long[] { 3 }, TestData.RandomBytes(4, 6))
            .Build();
        var result = CheckpointReading.ReadAll(file);
        var headerLength = (int)BitConverter.ToUInt64(file, 0);
        Assert.Equal(0, headerLength % 64);
        Assert.Equal(file[..(8 + headerLength)], result.Container);
        var json = Encoding.UTF8.GetString(result.Container, 8, headerLength);
        Assert.Contains("\"__metadata__\":{\"format\":\"pt\",\"note\":\"kept as is\"}", json);
        Assert.EndsWith("  ", json);
    }

    [Fact]
    public void Metadata_is_not_a_tensor()
    {
        using var reader = new SafetensorsReader(new MemoryStream(ThreeTensorFile(false)), "m.safetensors");
        Assert.DoesNotContain(reader.Tensors, t => t.Name == SafetensorsHeader.MetadataKey);
        Assert.Equal(3, reader.Tensors.Count);
    }

    [Fact]
    public void A_file_without_tensors_reads_as_empty()
    {
        var file = new SafetensorsFileBuilder().AddMetadata("k", "v").Build();
        var result = CheckpointReading.ReadAll(file);
        Assert.Empty(result.Groups);
        Assert.Equal(file, result.Container);
    }

    [Fact]
    public void Zero_sized_tensors_are_read_in_place()
    {
        var file = new SafetensorsFileBuilder()
            .Add("empty", "F32", new long[] { 0, 4 }, Array.Empty<byte>())
            .Add("one", "U8", new long[] { 1 }, new byte[] { 42 })
            .Build();
        var result = CheckpointReading.ReadAll(file);
        Assert.Equal(new[] { "empty", "one" }, result.Groups.Select(g => g.Name));
        Assert.Empty(result.Groups[0].Data);
        Assert.Equal(new byte[] { 42 }, result.Groups[1].Data);
    }

    [Fact]
    public void Next_before_the_current_tensor_was_read_fully_is_a_programming_error()
    {
        using var reader = new SafetensorsReader(new MemoryStream(ThreeTensorFile(false)), "m.safetensors");
        reader.Next();
        reader.ReadData(new byte[3]);
        Assert.Throws<InvalidOperationException>(() => reader.Next());
    }

    [Fact]
    public void Complete_before_every_tensor_was_read_is_a_programming_error()
    {
        using var reader = new SafetensorsReader(new MemoryStream(ThreeTensorFile(false)), "m.safetensors");
        reader.Next();
        reader.ReadData(new byte[First.Length]);
        Assert.Throws<InvalidOperationException>(() => reader.Complete());
    }

    [Fact]
    public void Next_after_the_last_tensor_keeps_returning_null()
    {
        using var reader = new SafetensorsReader(new MemoryStream(ThreeTensorFile(false)), "m.safetensors");
        var buffer = new byte[64];
        var count = 0;
        while (reader.Next() is not null)
        {
            count++;
            while (reader.ReadData(buffer) > 0)
            {
            }
        }

        Assert.Equal(3, count);
        Assert.Null(reader.Next());
    }
}
