using System.Text;

namespace GitTheta.Core.Git;

/// <summary>Writes git's pkt-line framing.</summary>
internal sealed class PktLineWriter
{
    private static readonly byte[] FlushPacket = "0000"u8.ToArray();
    private readonly Stream output;
    private readonly byte[] packet = new byte[4 + PktLineReader.MaxPacketData];

    /// <summary>The buffer of this writer's content streams (one response at a time), allocated once, not per file.</summary>
    internal byte[] ContentBuffer { get; } = new byte[PktLineReader.MaxPacketData];

    public PktLineWriter(Stream output)
    {
        this.output = output;
    }

    public void WritePacket(ReadOnlySpan<byte> data)
    {
        if (data.Length > PktLineReader.MaxPacketData)
        {
            // The 4-digit length would wrap and desynchronise git; callers must split content (see WriteContent).
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, $"A pkt-line packet holds at most {PktLineReader.MaxPacketData} bytes.");
        }

        var length = data.Length + 4;
        const string hex = "0123456789abcdef";
        packet[0] = (byte)hex[(length >> 12) & 0xF];
        packet[1] = (byte)hex[(length >> 8) & 0xF];
        packet[2] = (byte)hex[(length >> 4) & 0xF];
        packet[3] = (byte)hex[length & 0xF];

        // One write per packet: header and data together, so a large transfer costs one system call per packet.
        data.CopyTo(packet.AsSpan(4));
        output.Write(packet, 0, length);
    }

    public void WriteText(string line) => WritePacket(Encoding.UTF8.GetBytes(line + "\n"));

    public void WriteFlush() => output.Write(FlushPacket);

    public void Flush() => output.Flush();

    /// <summary>Writes content as a series of maximum-size packets (no flush).</summary>
    public void WriteContent(ReadOnlySpan<byte> content)
    {
        while (content.Length > 0)
        {
            var n = Math.Min(content.Length, PktLineReader.MaxPacketData);
            WritePacket(content[..n]);
            content = content[n..];
        }
    }
}
