using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

public class PktLineContentWriteStreamTests
{
    private static List<int> PacketSizes(byte[] framed, out byte[] content)
    {
        var reader = new PktLineReader(new MemoryStream(framed));
        var buffer = new byte[PktLineReader.MaxPacketData];
        var sizes = new List<int>();
        var data = new MemoryStream();
        int n;
        while ((n = reader.ReadPacket(buffer, allowEnd: true)) >= 0)
        {
            sizes.Add(n);
            data.Write(buffer, 0, n);
        }

        content = data.ToArray();
        return sizes;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(PktLineReader.MaxPacketData)]
    [InlineData(100_003)]
    public void Writes_of_any_size_become_full_packets_and_one_short_tail(int writeSize)
    {
        var content = TestData.RandomBytes(writeSize, 200_000);
        var output = new MemoryStream();
        var stream = new PktLineContentWriteStream(new PktLineWriter(output));
        for (var offset = 0; offset < content.Length; offset += writeSize)
        {
            stream.Write(content, offset, Math.Min(writeSize, content.Length - offset));
        }

        stream.Flush();

        var sizes = PacketSizes(output.ToArray(), out var written);
        Assert.Equal(content, written);
        Assert.All(sizes[..^1], s => Assert.Equal(PktLineReader.MaxPacketData, s));
        Assert.Equal(200_000 % PktLineReader.MaxPacketData, sizes[^1]);
    }

    [Fact]
    public void Nothing_is_sent_before_a_packet_fills_or_the_stream_is_flushed()
    {
        var output = new MemoryStream();
        var stream = new PktLineContentWriteStream(new PktLineWriter(output));
        stream.Write(new byte[100]);
        Assert.Equal(0, output.Length);
        stream.Flush();
        Assert.Equal(104, output.Length);
        stream.Flush();
        Assert.Equal(104, output.Length);
    }
}
