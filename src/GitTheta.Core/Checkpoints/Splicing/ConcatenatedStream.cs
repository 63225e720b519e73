namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>Reads one stream to its end, then another: bytes already consumed replayed before the rest.</summary>
internal sealed class ConcatenatedStream : Stream
{
    private readonly Stream first;
    private readonly Stream second;
    private bool firstDone;

    public ConcatenatedStream(Stream first, Stream second)
    {
        this.first = first;
        this.second = second;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!firstDone)
        {
            var read = first.Read(buffer);
            if (read > 0 || buffer.IsEmpty)
            {
                return read;
            }

            firstDone = true;
        }

        return second.Read(buffer);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
