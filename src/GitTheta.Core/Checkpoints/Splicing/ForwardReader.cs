namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// Reads a stream forward through a buffer that can be looked into before it is consumed (to find where a
/// record of unknown length ends), counting the bytes consumed. Large reads bypass the buffer.
/// </summary>
internal sealed class ForwardReader
{
    /// <summary>Holds a zip local header with the longest name and extra field (30 + 65535 + 65535 bytes).</summary>
    public const int BufferSize = 256 << 10;

    private readonly Stream input;
    private readonly byte[] buffer = new byte[BufferSize];
    private int start;
    private int end;
    private bool ended;

    public ForwardReader(Stream input)
    {
        this.input = input;
    }

    /// <summary>Bytes consumed so far: the file offset of the next byte.</summary>
    public long Position { get; private set; }

    /// <summary>The buffered bytes, at least <paramref name="count"/> of them unless the stream ends first (then all that is left).</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BufferSize);

        while (end - start < count && !ended)
        {
            if (BufferSize - start < count)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }

            var read = input.Read(buffer.AsSpan(end));
            if (read == 0)
            {
                ended = true;
            }

            end += read;
        }

        return buffer.AsSpan(start, end - start);
    }

    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, end - start);

        start += count;
        Position += count;
    }

    /// <summary>Reads up to destination.Length bytes; 0 only at the end of the stream.</summary>
    public int Read(Span<byte> destination)
    {
        if (destination.Length == 0)
        {
            return 0;
        }

        if (start == end && destination.Length >= BufferSize)
        {
            var direct = ended ? 0 : input.Read(destination);
            ended |= direct == 0;
            Position += direct;
            return direct;
        }

        var available = Peek(1);
        var take = Math.Min(available.Length, destination.Length);
        available[..take].CopyTo(destination);
        Consume(take);
        return take;
    }

    /// <summary>Reads exactly destination.Length bytes; false when the stream ends first (what was read is consumed).</summary>
    public bool TryReadExactly(Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var read = Read(destination[done..]);
            if (read == 0)
            {
                return false;
            }

            done += read;
        }

        return true;
    }

    /// <summary>What has not been consumed: the buffered bytes, then the rest of the stream.</summary>
    public Stream Rest()
    {
        var buffered = new MemoryStream(buffer, start, end - start, writable: false);
        Position += end - start;
        start = end;
        return new ConcatenatedStream(buffered, input);
    }
}
