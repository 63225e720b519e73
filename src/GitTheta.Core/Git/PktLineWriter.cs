using System.Text;

namespace GitTheta.Core.Git;

/// <summary>Writes git's pkt-line framing.</summary>
internal sealed class PktLineWriter
{
    /// <summary>
    /// With batching, packets are gathered up to this many bytes and written together: a checkout streams a checkpoint
    /// to git as 64 KiB packets, and one system call (and one hand-off of the pipe's lock) per packet showed as a
    /// tenth of the filter's CPU time. Everything is sent at <see cref="Flush"/>, which every message to git ends with.
    /// </summary>
    private const int BatchBytes = 16 * (4 + PktLineReader.MaxPacketData);

    private readonly Stream output;
    private readonly bool batch;
    private readonly byte[] pending;
    private int used;

    /// <summary>The buffer of this writer's content streams (one response at a time), allocated once, not per file.</summary>
    internal byte[] ContentBuffer { get; } = new byte[PktLineReader.MaxPacketData];

    /// <param name="batch">Whether packets wait for <see cref="Flush"/> (or a full batch) instead of going out one by one.</param>
    public PktLineWriter(Stream output, bool batch = false)
    {
        this.output = output;
        this.batch = batch;
        pending = new byte[batch ? BatchBytes : 4 + PktLineReader.MaxPacketData];
    }

    public void WritePacket(ReadOnlySpan<byte> data)
    {
        if (data.Length > PktLineReader.MaxPacketData)
        {
            // The 4-digit length would wrap and desynchronise git; callers must split content (see WriteContent).
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, $"A pkt-line packet holds at most {PktLineReader.MaxPacketData} bytes.");
        }

        var length = data.Length + 4;
        Reserve(length);
        const string hex = "0123456789abcdef";
        pending[used] = (byte)hex[(length >> 12) & 0xF];
        pending[used + 1] = (byte)hex[(length >> 8) & 0xF];
        pending[used + 2] = (byte)hex[(length >> 4) & 0xF];
        pending[used + 3] = (byte)hex[length & 0xF];
        data.CopyTo(pending.AsSpan(used + 4));
        used += length;
        if (!batch)
        {
            Send();
        }
    }

    public void WriteText(string line) => WritePacket(Encoding.UTF8.GetBytes(line + "\n"));

    public void WriteFlush()
    {
        Reserve(4);
        "0000"u8.CopyTo(pending.AsSpan(used));
        used += 4;
        if (!batch)
        {
            Send();
        }
    }

    /// <summary>Sends every packet written so far.</summary>
    public void Flush()
    {
        Send();
        output.Flush();
    }

    private void Reserve(int bytes)
    {
        if (used + bytes > pending.Length)
        {
            Send();
        }
    }

    private void Send()
    {
        if (used > 0)
        {
            output.Write(pending, 0, used);
            used = 0;
        }
    }

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
