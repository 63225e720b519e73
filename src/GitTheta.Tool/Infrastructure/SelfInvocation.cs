namespace GitTheta.Tool.Infrastructure;

/// <summary>
/// The shell command that runs this same git-theta, whichever way it was installed: the bare name when
/// PATH finds this very executable (a global tool), else an absolute path (a local build, or
/// <c>dotnet git-theta.dll</c>), so the configured drivers keep working from any directory.
/// </summary>
internal static class SelfInvocation
{
    public static string Command()
    {
        var process = Environment.ProcessPath ?? "git-theta";
        var entry = typeof(SelfInvocation).Assembly.Location;
        var processName = Path.GetFileNameWithoutExtension(process);
        if (string.Equals(processName, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // A local tool (dotnet tool manifest) lives in the NuGet cache under a versioned folder that an
            // update replaces; "dotnet tool run" finds whichever version the manifest names.
            if (IsInNuGetCache(entry))
            {
                return "dotnet tool run git-theta";
            }

            return $"{Quote(process)} {Quote(entry)}";
        }

        var onPath = FindOnPath(OperatingSystem.IsWindows() ? "git-theta.exe" : "git-theta");
        if (onPath is not null && SameFile(onPath, process))
        {
            return "git-theta";
        }

        return Quote(process);
    }

    /// <summary>The NuGet cache lays packages out as lowercase id / version / tools / tfm / any.</summary>
    private static bool IsInNuGetCache(string entry)
    {
        var parts = entry.Replace('\\', '/').Split('/');
        var id = Array.LastIndexOf(parts, "gittheta.tool");
        return id >= 0 && id + 2 < parts.Length && parts[id + 2] == "tools";
    }

    /// <summary>Single-quotes for sh, which git uses to run driver commands.</summary>
    public static string Quote(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or '=')
            ? value
            : "'" + value.Replace("'", "'\\''") + "'";

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool SameFile(string a, string b)
    {
        try
        {
            return string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Resolve(string path)
    {
        var info = new FileInfo(path);
        var target = info.ResolveLinkTarget(returnFinalTarget: true);
        return Path.GetFullPath(target?.FullName ?? info.FullName);
    }
}
