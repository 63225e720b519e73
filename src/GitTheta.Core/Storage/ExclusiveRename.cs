using System.Runtime.InteropServices;

namespace GitTheta.Core.Storage;

/// <summary>
/// Gives a finished temp file its object name, refusing a name that exists. On Linux that is one renameat2 call with
/// RENAME_NOREPLACE; <see cref="File.Move(string, string, bool)"/> looks at both names first, three more system calls
/// for every object a clean stores. Any failure goes through <see cref="File.Move(string, string, bool)"/>, so callers
/// see the same exceptions either way.
/// </summary>
internal static partial class ExclusiveRename
{
    private const int AtCurrentDirectory = -100;
    private const uint NoReplace = 1;
    private const int InvalidArgument = 22;
    private const int NotImplemented = 38;
    private static volatile bool unsupported = !OperatingSystem.IsLinux();

    public static void Move(string source, string destination)
    {
        if (!unsupported && TryRenameNoReplace(source, destination))
        {
            return;
        }

        File.Move(source, destination, overwrite: false);
    }

    private static bool TryRenameNoReplace(string source, string destination)
    {
        try
        {
            if (RenameAt2(AtCurrentDirectory, source, AtCurrentDirectory, destination, NoReplace) == 0)
            {
                return true;
            }

            // File systems without RENAME_NOREPLACE say EINVAL, kernels before 3.15 ENOSYS: never ask again.
            if (Marshal.GetLastPInvokeError() is InvalidArgument or NotImplemented)
            {
                unsupported = true;
            }

            return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unsupported = true;
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int sourceDirectory, string source, int destinationDirectory, string destination, uint flags);
}
