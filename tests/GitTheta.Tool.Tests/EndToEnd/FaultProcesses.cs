using System.Diagnostics;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// The git-theta processes a test started (through git) in one repository, found in /proc by their command line and
/// working directory, so that a fault test kills exactly those, by id.
/// </summary>
internal static class FaultProcesses
{
    /// <summary>Ids of the running git-theta processes whose working directory is <paramref name="directory"/>.</summary>
    public static IReadOnlyList<int> GitTheta(string directory)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (arguments.Length == 0 || Path.GetFileName(arguments[0]) != "git-theta")
                {
                    continue;
                }

                var cwd = new DirectoryInfo(Path.Combine(entry, "cwd")).LinkTarget;
                if (cwd is not null && Path.TrimEndingDirectorySeparator(cwd) == Path.TrimEndingDirectorySeparator(directory))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>Bytes the process has written so far (to files and pipes), from /proc/&lt;pid&gt;/io; 0 once it is gone.</summary>
    public static long Written(int pid)
    {
        try
        {
            var line = File.ReadAllLines($"/proc/{pid}/io").FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["wchar:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>SIGKILL (kill -9) to one process by id.</summary>
    public static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
        }
    }
}
