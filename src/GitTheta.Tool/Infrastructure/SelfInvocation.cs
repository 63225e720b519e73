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
        var entry = EntryAssemblyPath;
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

        // The native executable of a local tool runs from the NuGet cache itself.
        if (IsInNuGetCache(process))
        {
            return "dotnet tool run git-theta";
        }

        return Quote(process);
    }

    /// <summary>
    /// git-theta.dll when this process is <c>dotnet git-theta.dll</c> or its apphost. Built from the app's folder, not
    /// from <c>Assembly.Location</c>, which is empty in the native (AOT) build; there the path names no file, and
    /// nothing uses it, because the process is the executable itself.
    /// </summary>
    public static string EntryAssemblyPath => Path.Combine(AppContext.BaseDirectory, typeof(SelfInvocation).Assembly.GetName().Name + ".dll");

    /// <summary>
    /// The NuGet cache lays packages out as lowercase id / version / tools / tfm / rid: gittheta.tool.any (framework-
    /// dependent) or gittheta.tool.linux-x64 (native). A global or --tool-path install keeps its packages under a
    /// .store folder instead, and runs from PATH or its own path.
    /// </summary>
    private static bool IsInNuGetCache(string path)
    {
        var parts = path.Replace('\\', '/').Split('/');
        if (parts.Contains(".store"))
        {
            return false;
        }

        var id = Array.FindLastIndex(parts, p => p == "gittheta.tool" || p.StartsWith("gittheta.tool.", StringComparison.Ordinal));
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
