using GitTheta.Core.Tensors;
using Microsoft.Win32.SafeHandles;

namespace GitTheta.Core.Hashing;

/// <summary>
/// A write-only stream that compares what is written (an old value being rebuilt) with a new value
/// in memory or in a file, chunk by chunk, so the old value never has to be held whole.
/// </summary>
internal sealed class AllCloseStream : Stream
{
    private readonly DType dtype;
    private readonly ReadOnlyMemory<byte> expected;
    private readonly SafeFileHandle? expectedFile;
    private readonly long expectedOffset;
    private readonly long expectedLength;
    private readonly byte[]? expectedChunk;
    private readonly double atol;
    private readonly double rtol;
    private readonly byte[] chunk;
    private int used;
    private long position;

    public AllCloseStream(DType dtype, ReadOnlyMemory<byte> expected, double atol, double rtol)
    {
        this.dtype = dtype;
        this.expected = expected;
        expectedLength = expected.Length;
        this.atol = atol;
        this.rtol = rtol;
        chunk = new byte[DTypes.SizeOf(dtype) * 65536];
    }

    /// <summary>Compares with <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="offset"/> on (a value too large to hold).</summary>
    public AllCloseStream(DType dtype, SafeFileHandle file, long offset, long length, double atol, double rtol)
        : this(dtype, ReadOnlyMemory<byte>.Empty, atol, rtol)
    {
        expectedFile = file;
        expectedOffset = offset;
        expectedLength = length;
        expectedChunk = new byte[chunk.Length];
    }

    /// <summary>False as soon as one element differs, or when more or fewer bytes than expected were written.</summary>
    public bool IsClose => isClose;

    private bool isClose = true;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => position;

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0 && isClose)
        {
            var take = Math.Min(chunk.Length - used, data.Length);
            data[..take].CopyTo(chunk.AsSpan(used));
            used += take;
            data = data[take..];
            if (used == chunk.Length)
            {
                CompareChunk();
            }
        }
    }

    /// <summary>Compares the tail; call once after the whole old value was written.</summary>
    public bool Finish()
    {
        if (isClose && used > 0)
        {
            CompareChunk();
        }

        return isClose && position == expectedLength;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private ReadOnlySpan<byte> Expected(int length)
    {
        if (expectedFile is null)
        {
            return expected.Span.Slice((int)position, length);
        }

        var into = expectedChunk.AsSpan(0, length);
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(expectedFile, into[read..], expectedOffset + position + read);
            if (n == 0)
            {
                throw new InvalidDataException("The value to compare with ended early.");
            }

            read += n;
        }

        return into;
    }

    private void CompareChunk()
    {
        if (position + used > expectedLength)
        {
            isClose = false;
            return;
        }

        isClose = AllClose.Check(dtype, chunk.AsSpan(0, used), Expected(used), atol, rtol);
        position += used;
        used = 0;
    }
}
