using GitTheta.Core.IO;

namespace GitTheta.Core.Git;

/// <summary>The content of one filter request: pkt-line data packets up to the flush, as a plain read stream.</summary>
internal sealed class PktLineContentStream : ReadOnlyStream
{
    private readonly PktLineReader reader;
    private readonly byte[] packet;
    private int packetLength;
    private int packetOffset;
    private bool ended;

    public PktLineContentStream(PktLineReader reader)
    {
        this.reader = reader;
        packet = reader.ContentBuffer;
    }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            if (packetOffset == packetLength)
            {
                if (ended)
                {
                    break;
                }

                // Large reads go straight into the caller's buffer, skipping a copy.
                if (buffer.Length - total >= PktLineReader.MaxPacketData)
                {
                    var direct = reader.ReadPacket(buffer[total..]);
                    if (direct == -1)
                    {
                        ended = true;
                        break;
                    }

                    total += direct;
                    continue;
                }

                var n = reader.ReadPacket(packet);
                if (n == -1)
                {
                    ended = true;
                    break;
                }

                packetLength = n;
                packetOffset = 0;
                continue;
            }

            var take = Math.Min(packetLength - packetOffset, buffer.Length - total);
            packet.AsSpan(packetOffset, take).CopyTo(buffer[total..]);
            packetOffset += take;
            total += take;
        }

        return total;
    }

    /// <summary>Reads and drops whatever is left of the content, so the protocol stays in step after an error.</summary>
    public void Drain()
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (Read(scratch) > 0)
        {
        }
    }

}
