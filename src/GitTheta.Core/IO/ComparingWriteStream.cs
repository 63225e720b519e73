using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.IO;

/// <summary>
/// A write-only stream that compares what is written with an existing file, byte for byte, and fails at the first
/// difference (or at <see cref="Complete"/> when the file is longer): verification without a second copy on disk.
/// </summary>
internal sealed class ComparingWriteStream : Stream
{
    private readonly Stream expected;
    private readonly string file;
    private readonly byte[] buffer = new byte[1 << 20];
    private long position;

    public ComparingWriteStream(Stream expected, string file)
    {
        this.expected = expected;
        this.file = file;
    }

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
        while (data.Length > 0)
        {
            var chunk = Math.Min(data.Length, buffer.Length);
            var read = expected.ReadAtLeast(buffer.AsSpan(0, chunk), chunk, throwOnEndOfStream: false);
            var common = Math.Min(read, chunk);
            var mismatch = data[..common].CommonPrefixLength(buffer.AsSpan(0, common));
            if (mismatch < common)
            {
                throw Differs($"differs from the checkpoint its git-theta metadata describes at byte {position + mismatch}");
            }

            if (read < chunk)
            {
                throw Differs($"is shorter ({position + read} bytes) than the checkpoint its git-theta metadata describes");
            }

            position += chunk;
            data = data[chunk..];
        }
    }

    /// <summary>Fails when the file goes on after the last byte written.</summary>
    public void Complete()
    {
        if (expected.ReadByte() >= 0)
        {
            throw Differs($"is longer than the checkpoint its git-theta metadata describes ({position} bytes)");
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private ThetaException Differs(string what) =>
        new(DiagnosticIds.CorruptObject, $"{file} {what}; rebuild it from git (delete it and build again).");
}
