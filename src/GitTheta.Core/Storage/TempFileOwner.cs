using System.Diagnostics;
using System.Globalization;

namespace GitTheta.Core.Storage;

/// <summary>
/// Names a temp file after the process writing it (host, pid and that process's start time), so a later clean can
/// tell a file left by a process that died (kill -9, power loss) from one a live process is still writing, even
/// after the pid was reused, and never touches another machine's files in a shared store.
/// </summary>
internal static class TempFileOwner
{
    private const string Prefix = "theta-";
    private const long OtherUsersProcess = -1;
    private static readonly Lazy<string> Current = new(() => Name(Environment.MachineName, Environment.ProcessId, StartTicks(Environment.ProcessId) ?? 0));

    /// <summary>
    /// Random once per process: with the sequence number it keeps names apart even between two processes that share a
    /// host name, pid and start time (containers over one store), without reading the system's random source per file.
    /// </summary>
    private static readonly string Session = Guid.NewGuid().ToString("N")[..16];

    private static long sequence;

    /// <summary>A fresh temp file name owned by this process.</summary>
    public static string NewFileName() =>
        $"{Current.Value}-{Session}{Interlocked.Increment(ref sequence).ToString("x", CultureInfo.InvariantCulture)}.tmp";

    /// <summary>True when <paramref name="fileName"/> was written by a process of this machine that no longer runs.</summary>
    public static bool IsLeftByDeadProcess(string fileName)
    {
        // theta-<host hash>-<pid>-<start ticks>-<guid>.tmp
        var parts = Path.GetFileNameWithoutExtension(fileName).Split('-');
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(".tmp", StringComparison.Ordinal) || parts.Length != 5
            || parts[1] != HostTag(Environment.MachineName)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            return false;
        }

        if (pid == Environment.ProcessId)
        {
            return false;
        }

        var running = StartTicks(pid);
        return running is null || (running.Value != ticks && running.Value != OtherUsersProcess);
    }

    private static string Name(string host, int pid, long startTicks) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{HostTag(host)}-{pid}-{startTicks}");

    /// <summary>A short stable tag of the host name (FNV-1a), free of the separators a file name cannot hold.</summary>
    private static string HostTag(string host)
    {
        var hash = 2166136261u;
        foreach (var c in host)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// When the process started, or null when no process has that id. On Linux this is the exact start time in clock
    /// ticks since boot (/proc/&lt;pid&gt;/stat, field 22), the same number every time it is read; elsewhere the start
    /// time in whole seconds.
    /// </summary>
    internal static long? StartTicks(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");

                // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Directory.Exists($"/proc/{pid}") ? OtherUsersProcess : null;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // The process exited while it was being looked at.
            return null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Another user's process: alive, and not ours to judge.
            return OtherUsersProcess;
        }
    }
}
