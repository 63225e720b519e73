using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

public class PktLineContentStreamTests
{
    /// <summary>Content as git sends it: data packets, a flush, then a text packet of the next request.</summary>
    private static byte[] Framed(byte[] content, int packetSize = PktLineReader.MaxPacketData)
    {
        var output = new MemoryStream();
        var writer = new PktLineWriter(output);
        for (var offset = 0; offset < content.Length; offset += packetSize)
        {
            writer.WritePacket(content.AsSpan(offset, Math.Min(packetSize, content.Length - offset)));
        }

        writer.WriteFlush();
        writer.WriteText("command=next");
        writer.WriteFlush();
        return output.ToArray();
    }

    private static byte[] ReadAll(Stream stream, int readSize)
    {
        var result = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = stream.Read(buffer, 0, readSize)) > 0)
        {
            result.Write(buffer, 0, n);
        }

        return result.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4093)]
    [InlineData(PktLineReader.MaxPacketData - 1)]
    [InlineData(PktLineReader.MaxPacketData)]
    [InlineData(PktLineReader.MaxPacketData + 1)]
    [InlineData(200_001)]
    public void Reads_the_content_up_to_the_flush_with_any_read_size(int readSize)
    {
        var content = TestData.RandomBytes(readSize, 150_000);
        var reader = new PktLineReader(new TrickleStream(Framed(content), 10_000));
        var stream = new PktLineContentStream(reader);

        Assert.Equal(content, ReadAll(stream, readSize));
        Assert.Equal(0, stream.Read(new byte[10], 0, 10));
        Assert.Equal(new[] { "command=next" }, reader.ReadTextList());
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(13, 5)]
    [InlineData(1000, 65_536)]
    public void Small_packets_are_joined_into_large_reads(int packetSize, int readSize)
    {
        var content = TestData.RandomBytes(packetSize, 20_000);
        var reader = new PktLineReader(new MemoryStream(Framed(content, packetSize)));
        Assert.Equal(content, ReadAll(new PktLineContentStream(reader), readSize));
        Assert.Equal(new[] { "command=next" }, reader.ReadTextList());
    }

    [Fact]
    public void Empty_content_reads_as_nothing()
    {
        var reader = new PktLineReader(new MemoryStream(Framed(Array.Empty<byte>())));
        Assert.Equal(0, new PktLineContentStream(reader).Read(new byte[100], 0, 100));
        Assert.Equal(new[] { "command=next" }, reader.ReadTextList());
    }

    [Fact]
    public void Drain_skips_the_rest_so_the_next_request_is_in_step()
    {
        var reader = new PktLineReader(new MemoryStream(Framed(TestData.RandomBytes(1, 300_000))));
        var stream = new PktLineContentStream(reader);
        Assert.Equal(10, stream.Read(new byte[10], 0, 10));
        stream.Drain();
        Assert.Equal(new[] { "command=next" }, reader.ReadTextList());
    }

    [Fact]
    public void End_of_stream_inside_the_content_is_a_protocol_error()
    {
        var framed = Framed(TestData.RandomBytes(2, 1000));
        var cut = framed[..500];
        var stream = new PktLineContentStream(new PktLineReader(new MemoryStream(cut)));
        ThetaAssert.Throws(DiagnosticIds.FilterProtocolError, () => ReadAll(stream, 100));
    }

    [Fact]
    public void Is_a_read_only_forward_stream()
    {
        var stream = new PktLineContentStream(new PktLineReader(new MemoryStream()));
        Assert.True(stream.CanRead);
        Assert.False(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Throws<NotSupportedException>(() => stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1], 0, 1));
    }
}
