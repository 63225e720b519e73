namespace GitTheta.Core.IO;

/// <summary>
/// Reads a file front to back and, when the file was not in the page cache to begin with, lets the kernel drop the pages
/// read once they are a window behind (and all of them at the end). A checkout of objects that write-behind
/// (<see cref="WrittenPages"/>) kept out of the cache then recycles a few megabytes of page cache instead of taking a
/// fresh page for every byte of the checkpoint, pages git itself needs at the same time for the file it builds. A file
/// that was cached stays cached.
/// </summary>
internal sealed class ColdReadStream : ReadOnlyStream
{
    /// <summary>Files smaller than this are left alone: one window is all their pages.</summary>
    internal const long MinimumBytes = 1 << 20;

    private readonly FileStream inner;
    private long position;
    private long released;

    private ColdReadStream(FileStream inner) => this.inner = inner;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// <paramref name="file"/> itself when it is small, cached or the system cannot tell (the page in its middle decides);
    /// otherwise a stream that releases what it has read.
    /// </summary>
    public static Stream Over(FileStream file)
    {
        var length = file.Length;
        if (length < MinimumBytes || PageCache.IsCached(file.SafeFileHandle, length / 2 & ~4095L) != false)
        {
            return file;
        }

        return new ColdReadStream(file);
    }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        position += read;
        if (read == 0 && buffer.Length > 0)
        {
            ReleaseUpTo(position);
        }
        else if (position - released >= 2 * WrittenPages.Window)
        {
            ReleaseUpTo(position - WrittenPages.Window);
        }

        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseUpTo(position);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void ReleaseUpTo(long end)
    {
        if (end > released && !inner.SafeFileHandle.IsClosed)
        {
            PageCache.Release(inner.SafeFileHandle, released, end - released);
            released = end;
        }
    }
}
