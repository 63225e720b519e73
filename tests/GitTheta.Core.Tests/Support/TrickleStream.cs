namespace GitTheta.Core.Tests.Support;

/// <summary>A read-only stream over bytes that returns at most <c>maxRead</c> bytes per call, like a pipe.</summary>
internal sealed class TrickleStream : Stream
{
    private readonly byte[] data;
    private readonly int maxRead;
    private int position;

    public TrickleStream(byte[] data, int maxRead)
    {
        this.data = data;
        this.maxRead = maxRead;
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

    /// <summary>How many times Read was called (a pipe's read system calls).</summary>
    public int Reads { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        var n = Math.Min(Math.Min(buffer.Length, maxRead), data.Length - position);
        data.AsSpan(position, n).CopyTo(buffer);
        position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
