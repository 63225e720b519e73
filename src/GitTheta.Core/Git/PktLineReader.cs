using System.Text;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Git;

/// <summary>Reads git's pkt-line framing: 4 hex digits of length (including themselves), then data; "0000" is a flush.</summary>
internal sealed class PktLineReader
{
    public const int MaxPacketData = 65516;

    /// <summary>How much a short read asks the input for: every line and packet of a small file's request together.</summary>
    internal const int ReadAheadBytes = 4096;

    private readonly Stream input;
    private readonly byte[] lengthBuffer = new byte[4];
    private readonly byte[] readAhead = new byte[ReadAheadBytes];
    private int aheadStart;
    private int aheadEnd;

    // One buffer per reader for command lists and one for content, instead of 64 KiB allocated per file: a filter
    // process reads thousands of requests, and fresh arrays cost page faults and zeroing on every one.
    private readonly byte[] textBuffer = new byte[MaxPacketData];

    /// <summary>The packet buffer of this reader's content streams; git sends one request at a time, so one is enough.</summary>
    internal byte[] ContentBuffer { get; } = new byte[MaxPacketData];

    public PktLineReader(Stream input)
    {
        this.input = input;
    }

    /// <summary>
    /// Reads one packet into <paramref name="buffer"/> (at least <see cref="MaxPacketData"/> bytes).
    /// Returns the data length, -1 for a flush packet, or throws at end of stream when <paramref name="allowEnd"/> is false.
    /// </summary>
    public int ReadPacket(Span<byte> buffer, bool allowEnd = false)
    {
        if (!Fill(lengthBuffer, allowEnd: true))
        {
            if (allowEnd)
            {
                return -2;
            }

            throw Protocol("git closed the filter's input in the middle of a request");
        }

        var length = ParseLength(lengthBuffer);
        if (length == 0)
        {
            return -1;
        }

        if (length < 4 || length - 4 > MaxPacketData)
        {
            throw Protocol($"invalid pkt-line length {length}");
        }

        var dataLength = length - 4;
        if (!Fill(buffer[..dataLength], allowEnd: false))
        {
            throw Protocol("git closed the filter's input inside a packet");
        }

        return dataLength;
    }

    /// <summary>Reads text packets up to a flush; null when git closed the stream cleanly before the first packet.</summary>
    public List<string>? ReadTextList()
    {
        var lines = new List<string>();
        var buffer = textBuffer;
        while (true)
        {
            var n = ReadPacket(buffer, allowEnd: lines.Count == 0);
            if (n == -2)
            {
                return null;
            }

            if (n == -1)
            {
                return lines;
            }

            lines.Add(Encoding.UTF8.GetString(buffer, 0, n).TrimEnd('\n'));
        }
    }

    private bool Fill(Span<byte> buffer, bool allowEnd)
    {
        // Bytes read ahead by an earlier short read come first.
        var total = Math.Min(aheadEnd - aheadStart, buffer.Length);
        readAhead.AsSpan(aheadStart, total).CopyTo(buffer);
        aheadStart += total;
        while (total < buffer.Length)
        {
            var wanted = buffer.Length - total;
            var shortRead = wanted < ReadAheadBytes;

            // A short read (a length, a command line, a small file's packet) asks for a read-ahead buffer's worth:
            // git has usually written the rest of the request by then, which costs no system call of its own (a
            // small file's request was eight reads). Long reads go straight into the caller's buffer, so the bytes
            // of a large file are copied once more only up to the read-ahead size per packet.
            var read = shortRead ? input.Read(readAhead) : input.Read(buffer[total..]);
            if (read == 0)
            {
                if (total == 0 && allowEnd)
                {
                    return false;
                }

                throw Protocol("git closed the filter's input inside a packet");
            }

            if (shortRead)
            {
                var take = Math.Min(read, wanted);
                readAhead.AsSpan(0, take).CopyTo(buffer[total..]);
                aheadStart = take;
                aheadEnd = read;
                read = take;
            }

            total += read;
        }

        return true;
    }

    private static int ParseLength(ReadOnlySpan<byte> hex)
    {
        var value = 0;
        foreach (var b in hex)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => throw Protocol("invalid pkt-line length header"),
            };
            value = (value << 4) | digit;
        }

        return value;
    }

    private static ThetaException Protocol(string what) =>
        new(DiagnosticIds.FilterProtocolError, $"pkt-line protocol error: {what}.");
}
