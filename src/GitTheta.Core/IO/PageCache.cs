using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GitTheta.Core.IO;

/// <summary>
/// The Linux page-cache calls git-theta uses as advice (<see cref="WrittenPages"/>, <see cref="ColdReadStream"/>). Each
/// only changes speed: where a call or its library is missing, it reports that and changes nothing.
/// </summary>
internal static partial class PageCache
{
    private const int PosixFadviseDontNeed = 4;
    private const uint SyncFileRangeWrite = 2;
    private const int ReadNoWait = 8; // RWF_NOWAIT
    private const int TryAgain = 11; // EAGAIN

    /// <summary>Whether this machine has the calls (Linux).</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Starts writing the range to disk without waiting (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>).</summary>
    public static bool StartWriting(SafeFileHandle file, long offset, long length) =>
        Call(() => _ = SyncFileRange((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite));

    /// <summary>Lets the kernel drop the range's pages that are on disk (<c>posix_fadvise(DONTNEED)</c>); dirty pages stay.</summary>
    public static bool Release(SafeFileHandle file, long offset, long length) =>
        Call(() => _ = PosixFadvise((int)file.DangerousGetHandle(), offset, length, PosixFadviseDontNeed));

    /// <summary>
    /// Whether the page at <paramref name="offset"/> is in the page cache: a one-byte read that may not wait for the
    /// disk (<c>preadv2(RWF_NOWAIT)</c>) succeeds or says it would have to. Null when the system cannot tell.
    /// </summary>
    public static unsafe bool? IsCached(SafeFileHandle file, long offset)
    {
        if (!Supported)
        {
            return null;
        }

        try
        {
            byte probe;
            var vector = new IoVector { Base = &probe, Length = 1 };
            var read = ReadVectorNoWait((int)file.DangerousGetHandle(), &vector, 1, offset, ReadNoWait);
            return read >= 0 ? true : Marshal.GetLastPInvokeError() == TryAgain ? false : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static bool Call(Action call)
    {
        if (!Supported)
        {
            return false;
        }

        try
        {
            call();
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "preadv2", SetLastError = true)]
    private static unsafe partial nint ReadVectorNoWait(int fd, IoVector* vectors, int count, long offset, int flags);
}
