namespace GitTheta.Core.IO;

/// <summary>
/// How many bytes of objects read from disk one process leaves in the page cache before <see cref="ColdReadStream"/>
/// starts releasing them as they are read. A checkout small against memory keeps its objects cached, so checking out
/// the same objects again reads them from memory; the part of a checkout that is large against memory is released, so
/// objects nobody reads again soon do not compete for fresh pages with git's buffer and the file git writes.
/// </summary>
internal sealed class ColdReadBudget
{
    /// <summary>The share of available memory a process may fill with objects it read from disk.</summary>
    internal const int AvailableMemoryShare = 8;

    private long remaining;

    public ColdReadBudget(long bytes) => remaining = Math.Max(0, bytes);

    /// <summary>An eighth of the memory available when the process starts (MemAvailable on Linux, else what the runtime may use).</summary>
    public static ColdReadBudget FromAvailableMemory() => new(AvailableMemory() / AvailableMemoryShare);

    /// <summary>Takes <paramref name="bytes"/> from the budget when all of them fit; false (and nothing taken) otherwise.</summary>
    public bool TryTake(long bytes)
    {
        while (true)
        {
            var current = Interlocked.Read(ref remaining);
            if (bytes > current)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref remaining, current - bytes, current) == current)
            {
                return true;
            }
        }
    }

    private static long AvailableMemory()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                // "MemAvailable:   24193120 kB"
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], out var kib))
                {
                    return kib * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
