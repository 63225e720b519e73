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
    public static string? ParentSubcommand() => ParentArguments() is { } arguments ? Subcommand(arguments) : null;

    /// <summary>
    /// Whether the git command that started this filter process may be offered the protocol's <c>delay</c> capability.
    /// git 2.39 crashes (a segmentation fault after <c>list_available_blobs</c>) when it delays the smudge of the file
    /// that <c>git checkout -m</c> / <c>git restore --merge</c> merges again, so those commands, and commands that
    /// cannot be told (no /proc), are not offered it.
    /// </summary>
    public static bool MayDelaySmudge() => ParentArguments() is { } arguments && MayDelaySmudge(arguments);

    /// <summary><see cref="MayDelaySmudge()"/> for a given git command line.</summary>
    public static bool MayDelaySmudge(IReadOnlyList<string> arguments)
    {
        var at = SubcommandIndex(arguments);
        if (at < 0 || arguments[at] is not ("checkout" or "restore"))
        {
            return at >= 0;
        }

        for (var i = at + 1; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument == "--")
            {
                break;
            }

            var merges = argument == "--merge" || argument.StartsWith("--conflict", StringComparison.Ordinal)
                || (argument.Length > 1 && argument[0] == '-' && argument[1] != '-' && argument.AsSpan(1).Contains('m'));
            if (merges)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The command line of the nearest git ancestor process, or null when unknown.</summary>
    private static IReadOnlyList<string>? ParentArguments()
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
                    return arguments;
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
    public static string? Subcommand(IReadOnlyList<string> arguments) => SubcommandIndex(arguments) is var at and >= 0 ? arguments[at] : null;

    private static int SubcommandIndex(IReadOnlyList<string> arguments)
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

            return i;
        }

        return -1;
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name is in parentheses and may itself contain spaces or parentheses.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
