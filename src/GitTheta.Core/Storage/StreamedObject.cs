using Microsoft.Win32.SafeHandles;

namespace GitTheta.Core.Storage;

/// <summary>
/// An object written as its bytes arrive, for a value too large to hold in one array: header and value go to a
/// temp file under lfs/tmp while they are hashed. <see cref="ObjectTransaction.AddStreamed"/> stages it; disposing
/// one that was not staged deletes the temp file, so a clean that fails halfway leaves nothing behind.
/// </summary>
internal sealed class StreamedObject : IDisposable
{
    private readonly LfsObjectStore store;
    private readonly long headerLength;
    private SafeFileHandle? readBack;
    private bool handedOver;

    internal StreamedObject(LfsObjectStore store, ReadOnlySpan<byte> header, IO.WrittenPages? writtenPages = null)
    {
        this.store = store;
        Pending = store.Begin(writtenPages);
        headerLength = header.Length;
        Pending.Write(header);
    }

    internal PendingObject Pending { get; }

    /// <summary>How many value bytes (after the header) were written.</summary>
    public long ValueLength => Pending.Length - headerLength;

    public void Write(ReadOnlySpan<byte> value) => Pending.Write(value);

    /// <summary>The object's id and size; no more bytes may be written after it.</summary>
    public ObjectRef Finish() => Pending.Finish();

    /// <summary>The value written so far, read back from the temp file (the file stays open until disposal).</summary>
    public (SafeFileHandle File, long Offset, long Length) WrittenValue()
    {
        Finish();
        readBack ??= File.OpenHandle(Pending.TempPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        return (readBack, headerLength, ValueLength);
    }

    /// <summary>Called by the transaction that took the temp file over (to commit or to drop).</summary>
    internal void HandOver()
    {
        readBack?.Dispose();
        readBack = null;
        handedOver = true;
    }

    public void Dispose()
    {
        readBack?.Dispose();
        if (!handedOver)
        {
            store.Discard(Pending);
        }
    }
}
