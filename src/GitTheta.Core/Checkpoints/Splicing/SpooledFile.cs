using GitTheta.Core.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// A checkpoint's bytes with random access, for formats whose layout cannot be known from a forward
/// read (a zip's central directory is at the end; an ONNX initializer's name may follow its data).
/// A seekable file is used in place; anything else (git's filter pipe) is copied to a temp file that
/// is deleted on dispose. Every claim a header makes can then be checked against the real length
/// before anything is allocated for it.
/// </summary>
internal sealed class SpooledFile : IByteSource, IDisposable
{
    private const int CopyChunk = 1 << 20;

    private readonly SafeFileHandle handle;
    private readonly FileStream? owned;
    private readonly long origin;

    private SpooledFile(SafeFileHandle handle, FileStream? owned, long origin, long length)
    {
        this.handle = handle;
        this.owned = owned;
        this.origin = origin;
        Length = length;
    }

    public long Length { get; }

    /// <summary>The rest of <paramref name="input"/>, from its current position.</summary>
    public static SpooledFile From(Stream input)
    {
        if (input is FileStream { CanSeek: true } file)
        {
            return new SpooledFile(file.SafeFileHandle, null, file.Position, file.Length - file.Position);
        }

        var path = Path.Combine(Path.GetTempPath(), $"gittheta-spool-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        var spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);
        try
        {
            var buffer = new byte[CopyChunk];
            long length = 0;
            int read;
            // Whole chunks: git's pipe hands over 64 KiB pkt-lines, the file gets 1 MiB writes.
            while ((read = input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                spool.Write(buffer, 0, read);
                length += read;
            }

            return new SpooledFile(spool.SafeFileHandle, spool, 0, length);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>Reads exactly destination.Length bytes at <paramref name="offset"/>; the range must lie inside the file.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length - destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Read of {destination.Length} bytes at {offset} outside a {Length}-byte file.");
        }

        var done = 0;
        while (done < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[done..], origin + offset + done);
            if (read == 0)
            {
                // The file shrank under us (someone rewrote it while git was reading it).
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"the checkpoint changed while it was being read (expected {Length} bytes); add it again.");
            }

            done += read;
        }
    }

    public byte[] ReadBytes(long offset, int count)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(count);
        Read(offset, bytes);
        return bytes;
    }

    public void Dispose() => owned?.Dispose();
}
