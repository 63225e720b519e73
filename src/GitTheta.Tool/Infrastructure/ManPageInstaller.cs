namespace GitTheta.Tool.Infrastructure;

/// <summary>
/// Puts the man pages where <c>man</c> looks, so that <c>git theta --help</c> (which git turns into
/// <c>man git-theta</c>) opens them: the user's data folder, or /usr/local/share/man for the system scope.
/// </summary>
internal static class ManPageInstaller
{
    public static string Directory(string scope)
    {
        if (scope == "system")
        {
            return "/usr/local/share/man/man1";
        }

        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "man", "man1");
    }

    /// <summary>Writes the pages; a failure only warns, because the drivers are what install is for.</summary>
    public static void Install(string scope, string workingDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = Directory(scope);
        try
        {
            ManPage.WriteAll(CommandTree.Create(), directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CommandRunner.Warn($"could not write the man pages to {directory} ({e.Message}); 'git theta help <command>' shows the same text.");
            return;
        }

        var found = Run(workingDirectory, "man", "-w", "git-theta");
        if (found is null || !found.StartsWith(Path.GetDirectoryName(directory)!, StringComparison.Ordinal))
        {
            CommandRunner.Log($"man pages written to {directory}; for 'git theta --help' add its parent to MANPATH (e.g. export MANPATH=\"{Path.GetDirectoryName(directory)}:$MANPATH\").");
        }
    }

    private static string? Run(string directory, string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
