using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GitTheta.Core.IO;

/// <summary>
/// The Linux page-cache calls git-theta uses as advice (<see cref="WrittenPages"/>). Each
/// only changes speed: where a call or its library is missing, it reports that and changes nothing.
/// </summary>
internal static partial class PageCache
{
    private const int PosixFadviseDontNeed = 4;
    private const uint SyncFileRangeWrite = 2;

    /// <summary>Whether this machine has the calls (Linux).</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Starts writing the range to disk without waiting (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>).</summary>
    public static bool StartWriting(SafeFileHandle file, long offset, long length) =>
        Call(() => _ = SyncFileRange((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite));

    /// <summary>Lets the kernel drop the range's pages that are on disk (<c>posix_fadvise(DONTNEED)</c>); dirty pages stay.</summary>
    public static bool Release(SafeFileHandle file, long offset, long length) =>
        Call(() => _ = PosixFadvise((int)file.DangerousGetHandle(), offset, length, PosixFadviseDontNeed));

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

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
