using System.Text;

namespace GitTheta.Core.Git;

/// <summary>
/// git-lfs's stderr during a fetch. Every line is kept for the log; a line reaches the front end only once git-lfs has
/// answered the filter handshake, so on a machine without git-lfs the user sees one GT2012 line, not git's
/// "'lfs' is not a git command" page.
/// </summary>
internal sealed class LfsMessageRelay
{
    private readonly object gate = new();
    private readonly StringBuilder all = new();
    private readonly List<string> held = new();
    private readonly Action<string>? output;
    private readonly string? hiddenPrefix;
    private bool open;

    /// <param name="output">Where lines go once git-lfs answered; null to only keep them.</param>
    /// <param name="hiddenPrefix">Lines starting with it are kept but never passed on (a heading progress replaces).</param>
    public LfsMessageRelay(Action<string>? output, string? hiddenPrefix)
    {
        this.output = output;
        this.hiddenPrefix = hiddenPrefix;
    }

    /// <summary>Everything git-lfs wrote, one line per line.</summary>
    public string All
    {
        get
        {
            lock (gate)
            {
                return all.ToString();
            }
        }
    }

    public void Add(string line)
    {
        lock (gate)
        {
            all.Append(line).Append('\n');
            if (output is null || (hiddenPrefix is not null && line.StartsWith(hiddenPrefix, StringComparison.Ordinal)))
            {
                return;
            }

            if (open)
            {
                output(line);
            }
            else
            {
                held.Add(line);
            }
        }
    }

    /// <summary>
    /// What git-lfs said went wrong: the cause in its first error line (not the pointer to its log file), or null when
    /// it said nothing of the kind.
    /// </summary>
    public static string? Reason(string output)
    {
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Contains("error", StringComparison.OrdinalIgnoreCase)
                && !line.StartsWith("Errors logged to", StringComparison.Ordinal)
                && !line.Contains("git lfs logs last", StringComparison.Ordinal))
            {
                // "Error downloading object: <path> (<oid>): Smudge error: Error downloading <path> (<oid>): <cause>": the cause.
                var cause = line.LastIndexOf("): ", StringComparison.Ordinal);
                return cause >= 0 && cause + 3 < line.Length ? line[(cause + 3)..] : line;
            }
        }

        return null;
    }

    /// <summary>git-lfs answered: what it said so far, and all it says from now on, is passed on.</summary>
    public void Open()
    {
        lock (gate)
        {
            if (open)
            {
                return;
            }

            open = true;
            foreach (var line in held)
            {
                output?.Invoke(line);
            }

            held.Clear();
        }
    }
}
