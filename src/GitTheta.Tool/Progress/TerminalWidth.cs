using System.Runtime.InteropServices;

namespace GitTheta.Tool.Progress;

/// <summary>
/// The width of the terminal the meters draw on (stderr): a meter line longer than the terminal wraps, and the next
/// redraw with \r then leaves the wrapped part behind. git passes a filter no terminal size, so the size is asked of
/// stderr itself (TIOCGWINSZ), else COLUMNS, else 80.
/// </summary>
internal static partial class TerminalWidth
{
    private const int Fallback = 80;
    private const int MinLabel = 16;
    private const int StandardError = 2;
    private const nuint TiocGWinSz = 0x5413;

    public static int Current()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var size = default(WinSize);
                if (Ioctl(StandardError, TiocGWinSz, ref size) == 0 && size.Columns > 0)
                {
                    return size.Columns;
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }

        return int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : Fallback;
    }

    /// <summary>Shortens a meter line to fit: the label (which holds the path) loses its start first, as git-lfs does.</summary>
    public static string Fit(string text, string label, int width)
    {
        var room = width - 1;
        if (text.Length <= room)
        {
            return text;
        }

        if (!text.StartsWith(label, StringComparison.Ordinal) || label.Length <= MinLabel + 3)
        {
            return text[..Math.Max(0, room)];
        }

        // The end of the path names the file; the amounts after it are cut last (rate and ", done." first).
        var keep = Math.Min(label.Length - 1, Math.Max(MinLabel, label.Length - (text.Length - room) - 3));
        var shortened = "..." + label[^keep..] + text[label.Length..];
        return shortened.Length <= room ? shortened : shortened[..Math.Max(0, room)];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, ref WinSize size);
}
