using Microsoft.Win32.SafeHandles;

namespace GitTheta.Core.IO;

/// <summary>
/// Write-behind for the files a clean writes (Linux): each file's new bytes are handed to the disk as they are written
/// (<c>sync_file_range</c>, which does not wait), and the pages the disk already has are dropped from the page cache a
/// little later (<c>posix_fadvise(DONTNEED)</c>, which skips pages not yet written, so nothing waits for the disk).
/// <para>
/// A first add writes as many bytes of objects as the checkpoint has. Kept in the page cache, every one of them needs a
/// fresh page of memory, and where fresh memory is expensive (a virtual machine whose host backs guest memory on first
/// touch) that was most of the add: writing a 4 GiB file took 10.9 s with 10.8 s of system time, against 1.2–1.5 s when
/// the written pages are released and used again. A slow disk simply leaves more pages cached, as without this.
/// </para>
/// One instance serves a whole filter process; files closed before their last pages were released are remembered
/// (by path, a bounded number of bytes) and released once enough newer bytes follow. Nothing is done until the process
/// has written <see cref="DefaultEngageAfter"/>: an add of a few small files gains nothing from it and would pay a system
/// call per file.
/// </summary>
internal sealed class WrittenPages
{
    /// <summary>How many new bytes of a file are handed to the disk at once.</summary>
    internal const long Window = 8 << 20;

    /// <summary>How far behind the newest byte pages are released: long enough for the disk to have written them.</summary>
    internal const long Lag = 16 << 20;

    /// <summary>How many bytes a process writes before write-behind starts.</summary>
    internal const long DefaultEngageAfter = 64 << 20;

    private readonly object gate = new();
    private readonly long engageAfter;
    private readonly Queue<(string Path, long From, long To)> closed = new();
    private long closedBytes;
    private long seenBytes;
    private long startedBytes;
    private long releasedBytes;
    private bool unavailable;

    /// <param name="engageAfter">How many bytes must be written (by every file together) before anything is done.</param>
    public WrittenPages(long engageAfter = DefaultEngageAfter)
    {
        this.engageAfter = engageAfter;
    }

    /// <summary>Whether this machine has the calls (Linux); elsewhere every method does nothing.</summary>
    public static bool Supported => PageCache.Supported;

    /// <summary>How many bytes were handed to the disk early (for tests and diagnostics).</summary>
    public long StartedBytes => Interlocked.Read(ref startedBytes);

    /// <summary>How many bytes the kernel was told it may drop from the page cache (for tests and diagnostics; it keeps those not yet on disk).</summary>
    public long ReleasedBytes => Interlocked.Read(ref releasedBytes);

    /// <summary>Per-file progress: how much the writer has written (its next offset), what was handed to the disk and what was released.</summary>
    internal struct FileState
    {
        public long Written;
        public long Started;
        public long Released;
    }

    /// <summary>
    /// After the writer wrote <paramref name="count"/> more bytes (already added to <see cref="FileState.Written"/>):
    /// hands whole windows to the disk and releases what lags far enough behind.
    /// </summary>
    public void Written(SafeFileHandle file, ref FileState state, long count)
    {
        var total = Interlocked.Add(ref seenBytes, count);
        var end = state.Written;
        if (end - state.Started < Window || unavailable || total < engageAfter)
        {
            return;
        }

        StartWriting(file, state.Started, end - state.Started);
        state.Started = end;
        if (state.Started - state.Released > Lag)
        {
            Release(file, state.Released, state.Started - Lag - state.Released);
            state.Released = state.Started - Lag;
        }
    }

    /// <summary>
    /// Before <paramref name="file"/> (at <paramref name="path"/>) is closed: hands the rest to the disk and remembers
    /// what is still cached, releasing the oldest remembered files beyond the lag.
    /// </summary>
    public void Closing(SafeFileHandle file, string path, ref FileState state)
    {
        var length = state.Written;
        if (unavailable || length <= state.Released || Interlocked.Read(ref seenBytes) < engageAfter)
        {
            return;
        }

        if (length > state.Started)
        {
            StartWriting(file, state.Started, length - state.Started);
            state.Started = length;
        }

        List<(string Path, long From, long To)>? due = null;
        lock (gate)
        {
            closed.Enqueue((path, state.Released, length));
            closedBytes += length - state.Released;
            while (closedBytes > Lag && closed.Count > 1)
            {
                var oldest = closed.Dequeue();
                closedBytes -= oldest.To - oldest.From;
                (due ??= new()).Add(oldest);
            }
        }

        state.Released = length;
        foreach (var (oldPath, from, to) in due ?? Enumerable.Empty<(string, long, long)>())
        {
            ReleaseByPath(oldPath, from, to - from);
        }
    }

    private void ReleaseByPath(string path, long offset, long length)
    {
        try
        {
            // Still at its temp path, or renamed into the store, or dropped as a duplicate: whichever, nothing to do if gone.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Release(handle, offset, length);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void StartWriting(SafeFileHandle file, long offset, long length)
    {
        unavailable |= !PageCache.StartWriting(file, offset, length);
        Interlocked.Add(ref startedBytes, length);
    }

    private void Release(SafeFileHandle file, long offset, long length)
    {
        unavailable |= !PageCache.Release(file, offset, length);
        Interlocked.Add(ref releasedBytes, length);
    }
}
