using System.Security.Cryptography;
using GitTheta.Core.IO;
using Microsoft.Win32.SafeHandles;

namespace GitTheta.Core.Storage;

/// <summary>
/// An object being written: bytes go to a temp file in the store's tmp/ while they are hashed; nothing
/// appears among the objects until <see cref="LfsObjectStore.Commit"/> renames it there.
/// </summary>
internal sealed class PendingObject : IDisposable
{
    private readonly SafeFileHandle file;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly WrittenPages? writtenPages;
    private WrittenPages.FileState pages;
    private bool closed;
    private ObjectRef? result;

    /// <param name="writtenPages">Write-behind for this file's pages, or null to leave them to the page cache.</param>
    internal PendingObject(string tempPath, WrittenPages? writtenPages = null)
    {
        TempPath = tempPath;
        this.writtenPages = writtenPages;
        // A handle written at explicit offsets: a FileStream asks the kernel for its position around every write, and
        // FileShare.None takes and drops a lock no reader of tmp/ looks at (owners are told by the file name).
        file = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    internal string TempPath { get; }

    public long Length { get; private set; }

    public ObjectRef Result => result ?? throw new InvalidOperationException("The object is not finished.");

    public void Write(ReadOnlySpan<byte> data)
    {
        hash.AppendData(data);
        WriteFile(data);
        Length += data.Length;
    }

    /// <summary>Writes bytes whose hash the caller already accounted for (see <see cref="AppendHashOnly"/>).</summary>
    internal void WriteUnhashed(ReadOnlySpan<byte> data) => WriteFile(data);

    /// <summary>Closes the temp file once its bytes are written, so a clean with many new objects holds no file open per object.</summary>
    internal void CloseFile()
    {
        if (!closed)
        {
            closed = true;
            writtenPages?.Closing(file, TempPath, ref pages);
        }

        file.Dispose();
    }

    internal void AppendHashOnly(ReadOnlySpan<byte> data)
    {
        hash.AppendData(data);
        Length += data.Length;
    }

    public ObjectRef Finish()
    {
        if (result is null)
        {
            CloseFile();
            result = new ObjectRef(Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), Length);
        }

        return result;
    }

    public void Dispose()
    {
        closed = true;
        file.Dispose();
        hash.Dispose();
    }

    private void WriteFile(ReadOnlySpan<byte> data)
    {
        RandomAccess.Write(file, data, pages.Written);
        pages.Written += data.Length;
        writtenPages?.Written(file, ref pages, data.Length);
    }
}
