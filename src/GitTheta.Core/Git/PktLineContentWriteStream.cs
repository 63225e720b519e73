using GitTheta.Core.IO;

namespace GitTheta.Core.Git;

/// <summary>Writes content to git as maximum-size pkt-line packets, buffering so that small writes do not make small packets.</summary>
internal sealed class PktLineContentWriteStream : WriteOnlyStream
{
    private readonly PktLineWriter writer;
    private readonly byte[] buffer;
    private int used;

    public PktLineContentWriteStream(PktLineWriter writer)
    {
        this.writer = writer;
        buffer = writer.ContentBuffer;
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        if (used > 0)
        {
            var take = Math.Min(buffer.Length - used, data.Length);
            data[..take].CopyTo(buffer.AsSpan(used));
            used += take;
            data = data[take..];
            if (used == buffer.Length)
            {
                writer.WritePacket(buffer);
                used = 0;
            }
        }

        while (data.Length >= buffer.Length)
        {
            writer.WritePacket(data[..buffer.Length]);
            data = data[buffer.Length..];
        }

        if (data.Length > 0)
        {
            data.CopyTo(buffer);
            used = data.Length;
        }
    }

    /// <summary>Sends the buffered tail (a short final packet).</summary>
    public override void Flush()
    {
        if (used > 0)
        {
            writer.WritePacket(buffer.AsSpan(0, used));
            used = 0;
        }
    }

}
