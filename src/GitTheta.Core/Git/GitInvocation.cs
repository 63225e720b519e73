namespace GitTheta.Core.Git;

/// <summary>
/// Which git command started this process (read from /proc where there is one). git smudges the
/// blobs it hands to an external diff driver; inside diff, log and show a smudge can therefore pass
/// the metadata through, so a diff never reads a parameter object and never rebuilds a checkpoint.
/// </summary>
internal static class GitInvocation
{
    private static readonly HashSet<string> DiffCommands = new(StringComparer.Ordinal) { "diff", "log", "show", "whatchanged", "format-patch" };

    public static bool IsDiffCommand(string? subcommand) => subcommand is not null && DiffCommands.Contains(subcommand);

    /// <summary>The subcommand of the nearest git ancestor process (e.g. "diff"), or null when unknown.</summary>
    public static string? ParentSubcommand()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var pid = Environment.ProcessId;
            for (var depth = 0; depth < 3; depth++)
            {
                pid = ParentOf(pid);
                if (pid <= 1)
                {
                    return null;
                }

                var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (arguments.Length > 0 && Path.GetFileName(arguments[0]) == "git")
                {
                    return Subcommand(arguments);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>The first argument after git's own options.</summary>
    public static string? Subcommand(IReadOnlyList<string> arguments)
    {
        for (var i = 1; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument is "-c" or "-C" or "--git-dir" or "--work-tree" or "--namespace" or "--config-env")
            {
                i++;
                continue;
            }

            if (argument.StartsWith('-'))
            {
                continue;
            }

            return argument;
        }

        return null;
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name is in parentheses and may itself contain spaces or parentheses.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
