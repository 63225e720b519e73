using System.Runtime.InteropServices;

namespace GitTheta.Core.Storage;

/// <summary>
/// A second name for a file's bytes (link(2), CreateHardLinkW): the git-lfs store gets the objects it must upload
/// without a second copy on disk, and deleting one name (git lfs prune) leaves the other intact.
/// </summary>
internal static partial class HardLink
{
    /// <summary>Creates <paramref name="link"/> as another name of <paramref name="existing"/>; false when the file system refuses (another device, no link support).</summary>
    public static bool TryCreate(string existing, string link)
    {
        try
        {
            return OperatingSystem.IsWindows() ? CreateHardLinkW(link, existing, IntPtr.Zero) : Link(existing, link) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);

    [LibraryImport("kernel32", EntryPoint = "CreateHardLinkW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CreateHardLinkW(string link, string existing, IntPtr securityAttributes);
}
