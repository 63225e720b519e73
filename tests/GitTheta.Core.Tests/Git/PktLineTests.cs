using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

/// <summary>PktLineReader and PktLineWriter: git's pkt-line framing.</summary>
public class PktLineTests
{
    private static PktLineReader ReaderOf(string raw) => new(new MemoryStream(Encoding.ASCII.GetBytes(raw)));

    private static int ReadPacket(string raw) => ReaderOf(raw).ReadPacket(new byte[PktLineReader.MaxPacketData]);

    [Fact]
    public void The_length_header_is_four_lowercase_hex_digits_counting_itself()
    {
        var output = new MemoryStream();
        var writer = new PktLineWriter(output);
        writer.WriteText("version=2");
        writer.WriteFlush();
        writer.WritePacket(new byte[PktLineReader.MaxPacketData - 1 - 65000]);
        Assert.Equal("000eversion=2\n0000", Encoding.ASCII.GetString(output.ToArray(), 0, 18));
        Assert.Equal("0207", Encoding.ASCII.GetString(output.ToArray(), 18, 4));
    }

    [Fact]
    public void A_batching_writer_sends_nothing_before_Flush_and_then_the_same_bytes_in_few_writes()
    {
        var content = TestData.RandomBytes(5, 3_000_000);
        var plain = new MemoryStream();
        var unbatched = new PktLineWriter(plain);
        var counted = new CountingWrites();
        var batched = new PktLineWriter(counted, batch: true);
        foreach (var each in new[] { unbatched, batched })
        {
            each.WriteText("status=success");
            each.WriteFlush();
            each.WriteContent(content);
            each.WriteFlush();
            each.WriteFlush();
        }

        // 46 packets of content, a text packet and three flushes: only full batches of 16 packets went out so far.
        Assert.Equal(2, counted.Writes);
        batched.Flush();
        Assert.Equal(3, counted.Writes);
        Assert.Equal(plain.ToArray(), counted.ToArray());

        // A short message waits for Flush, which every message to git ends with.
        var quiet = new CountingWrites();
        var writer = new PktLineWriter(quiet, batch: true);
        writer.WriteText("status=success");
        writer.WriteFlush();
        Assert.Equal(0, quiet.Length);
        writer.Flush();
        Assert.Equal("0013status=success\n0000", Encoding.ASCII.GetString(quiet.ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(4096)]
    [InlineData(PktLineReader.MaxPacketData)]
    public void Packets_round_trip_up_to_the_maximum_size(int size)
    {
        var data = TestData.RandomBytes(size, size);
        var output = new MemoryStream();
        var writer = new PktLineWriter(output);
        writer.WritePacket(data);
        writer.WriteFlush();
        Assert.Equal(size + 8, output.Length);

        var reader = new PktLineReader(new TrickleStream(output.ToArray(), 1000));
        var buffer = new byte[PktLineReader.MaxPacketData];
        Assert.Equal(size, reader.ReadPacket(buffer));
        Assert.Equal(data, buffer[..size]);
        Assert.Equal(-1, reader.ReadPacket(buffer));
        Assert.Equal(-2, reader.ReadPacket(buffer, allowEnd: true));
    }

    [Fact]
    public void The_maximum_length_header_is_fff0()
    {
        Assert.Equal(65520, PktLineReader.MaxPacketData + 4);
        var raw = "fff0" + new string('x', PktLineReader.MaxPacketData);
        Assert.Equal(PktLineReader.MaxPacketData, ReadPacket(raw));
        Assert.Equal(PktLineReader.MaxPacketData, ReadPacket(raw.ToUpperInvariant()));
    }

    [Fact]
    public void Writing_a_packet_over_the_maximum_is_refused()
    {
        var writer = new PktLineWriter(new MemoryStream());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WritePacket(new byte[PktLineReader.MaxPacketData + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WritePacket(new byte[70_000]));
    }

    [Fact]
    public void WriteContent_cuts_content_into_maximum_size_packets()
    {
        var content = TestData.RandomBytes(1, (2 * PktLineReader.MaxPacketData) + 10);
        var output = new MemoryStream();
        new PktLineWriter(output).WriteContent(content);
        var reader = new PktLineReader(new MemoryStream(output.ToArray()));
        var buffer = new byte[PktLineReader.MaxPacketData];
        Assert.Equal(PktLineReader.MaxPacketData, reader.ReadPacket(buffer));
        Assert.Equal(PktLineReader.MaxPacketData, reader.ReadPacket(buffer));
        Assert.Equal(10, reader.ReadPacket(buffer));
        Assert.Equal(content[^10..], buffer[..10]);
        Assert.Equal(-2, reader.ReadPacket(buffer, allowEnd: true));
    }

    [Fact]
    public void Text_lists_end_at_a_flush_and_lose_their_newline()
    {
        var output = new MemoryStream();
        var writer = new PktLineWriter(output);
        writer.WriteText("command=clean");
        writer.WriteText("pathname=dir/ü.safetensors");
        writer.WriteFlush();
        writer.WriteFlush();
        var reader = new PktLineReader(new MemoryStream(output.ToArray()));
        Assert.Equal(new[] { "command=clean", "pathname=dir/ü.safetensors" }, reader.ReadTextList());
        Assert.Empty(reader.ReadTextList()!);
        Assert.Null(reader.ReadTextList());
    }

    [Theory]
    [InlineData("0001")]
    [InlineData("0002")]
    [InlineData("0003")]
    [InlineData("fff1")]
    [InlineData("ffff")]
    [InlineData("zzzz")]
    [InlineData("00 4")]
    [InlineData("-004")]
    public void An_invalid_length_header_is_a_protocol_error(string header)
    {
        ThetaAssert.Throws(DiagnosticIds.FilterProtocolError, () => ReadPacket(header + new string('x', 100)));
    }

    [Theory]
    [InlineData("00")]
    [InlineData("0009abc")]
    public void End_of_stream_inside_a_packet_is_a_protocol_error(string raw)
    {
        ThetaAssert.Throws(DiagnosticIds.FilterProtocolError, () => ReaderOf(raw).ReadPacket(new byte[PktLineReader.MaxPacketData], allowEnd: true));
    }

    [Fact]
    public void End_of_stream_where_a_packet_is_required_is_a_protocol_error()
    {
        ThetaAssert.Throws(DiagnosticIds.FilterProtocolError, () => ReadPacket(string.Empty));
        ThetaAssert.Throws(DiagnosticIds.FilterProtocolError, () => ReaderOf("000aline\n").ReadTextList());
    }

    private sealed class CountingWrites : MemoryStream
    {
        public int Writes { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            base.Write(buffer);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public void Requests_read_the_same_through_any_pipe_and_a_small_one_in_few_reads(int maxRead)
    {
        // Two requests as git sends them: a small file, then a large one whose packets are longer than the read-ahead.
        var raw = new MemoryStream();
        var git = new PktLineWriter(raw);
        var small = TestData.RandomBytes(11, 16_784);
        var large = TestData.RandomBytes(12, 3 * PktLineReader.MaxPacketData + 1234);
        foreach (var (path, content) in new[] { ("a.safetensors", small), ("b.safetensors", large) })
        {
            git.WriteText("command=clean");
            git.WriteText("pathname=" + path);
            git.WriteFlush();
            git.WriteContent(content);
            git.WriteFlush();
        }

        git.Flush();
        var pipe = new TrickleStream(raw.ToArray(), maxRead);
        var reader = new PktLineReader(pipe);

        Assert.Equal(new[] { "command=clean", "pathname=a.safetensors" }, reader.ReadTextList());
        Assert.Equal(small, ReadContent(reader));
        if (maxRead >= 100_000)
        {
            // Header lines, flush, the 16 KiB packet and the final flush: the whole request in three reads, not eight.
            Assert.True(pipe.Reads <= 3, $"{pipe.Reads} reads for one small request");
        }

        Assert.Equal(new[] { "command=clean", "pathname=b.safetensors" }, reader.ReadTextList());
        Assert.Equal(large, ReadContent(reader));
        Assert.Null(reader.ReadTextList());
    }

    private static byte[] ReadContent(PktLineReader reader)
    {
        var content = new MemoryStream();
        var packet = new byte[PktLineReader.MaxPacketData];
        int n;
        while ((n = reader.ReadPacket(packet)) >= 0)
        {
            content.Write(packet, 0, n);
        }

        return content.ToArray();
    }
}
