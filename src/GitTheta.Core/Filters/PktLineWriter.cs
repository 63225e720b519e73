using System.Text;

namespace GitTheta.Core.Filters;

/// <summary>Writes git's pkt-line framing.</summary>
public sealed class PktLineWriter
{
    private static readonly byte[] FlushPacket = "0000"u8.ToArray();
    private readonly Stream output;
    private readonly byte[] header = new byte[4];

    public PktLineWriter(Stream output)
    {
        this.output = output;
    }

    public void WritePacket(ReadOnlySpan<byte> data)
    {
        var length = data.Length + 4;
        const string hex = "0123456789abcdef";
        header[0] = (byte)hex[(length >> 12) & 0xF];
        header[1] = (byte)hex[(length >> 8) & 0xF];
        header[2] = (byte)hex[(length >> 4) & 0xF];
        header[3] = (byte)hex[length & 0xF];
        output.Write(header);
        output.Write(data);
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
