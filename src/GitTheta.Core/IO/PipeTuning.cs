using System.Runtime.InteropServices;

namespace GitTheta.Core.IO;

/// <summary>
/// Enlarges the pipes to and from git (Linux F_SETPIPE_SZ). With the default 64 KiB pipe every
/// pkt-line packet is a hand-off between git and the filter; a larger pipe lets either side run ahead.
/// </summary>
internal static partial class PipeTuning
{
    private const int SetPipeSize = 1031;

    public static void Enlarge(int fileDescriptor, int bytes = 1 << 20)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            // Fails harmlessly (returns -1) when the descriptor is not a pipe or the size exceeds pipe-max-size.
            _ = Fcntl(fileDescriptor, SetPipeSize, bytes);
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);
}
