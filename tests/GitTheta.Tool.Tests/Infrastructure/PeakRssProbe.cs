using System.Globalization;

namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// Samples the peak resident set size (VmHWM, which only grows) of every process of one name whose working
/// directory is one folder, while a command runs: git starts its filter processes in the work tree, so this finds a
/// checkout's git-theta without racing other tests' processes. Linux only; elsewhere it measures nothing (0).
/// </summary>
public sealed class PeakRssProbe : IDisposable
{
    private readonly string directory;
    private readonly string name;
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;
    private long peak;

    public PeakRssProbe(string directory, string name)
    {
        this.directory = Path.GetFullPath(directory).TrimEnd('/');
        this.name = name;
        sampling = Task.Run(Sample);
    }

    /// <summary>Stops sampling and returns the largest VmHWM seen, in bytes.</summary>
    public long Stop()
    {
        stop.Cancel();
        sampling.GetAwaiter().GetResult();
        return Interlocked.Read(ref peak);
    }

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
    }

    private async Task Sample()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        while (!stop.IsCancellationRequested)
        {
            foreach (var process in Directory.EnumerateDirectories("/proc"))
            {
                if (HighWaterMark(process) is { } bytes && bytes > Interlocked.Read(ref peak))
                {
                    Interlocked.Exchange(ref peak, bytes);
                }
            }

            try
            {
                await Task.Delay(10, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private long? HighWaterMark(string process)
    {
        // A process may end between any two of these reads; it is then simply not counted.
        try
        {
            if (!char.IsAsciiDigit(Path.GetFileName(process)[0]) || File.ReadAllText(Path.Combine(process, "comm")).Trim() != name
                || new DirectoryInfo(Path.Combine(process, "cwd")).LinkTarget?.TrimEnd('/') != directory)
            {
                return null;
            }

            var line = File.ReadLines(Path.Combine(process, "status")).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
