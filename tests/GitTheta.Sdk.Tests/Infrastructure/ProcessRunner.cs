using System.Diagnostics;

namespace GitTheta.Sdk.Tests.Infrastructure;

/// <summary>Runs a child process with an explicit environment and a generous time limit (a loaded 2-core machine is slow).</summary>
public static class ProcessRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    // Variables a test host (dotnet test, an IDE, a parent MSBuild) sets that must not steer the builds under test.
    private static readonly string[] InheritedPrefixesToDrop = { "MSBUILD", "MSBuild", "VSTEST", "DOTNET_HOST_PATH", "NUGET_", "GIT_", "DOTNET_CLI_" };

    public static ProcessResult Run(string file, IEnumerable<string> arguments, string directory, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.ToList())
        {
            if (InheritedPrefixesToDrop.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                start.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var command = $"{Path.GetFileName(file)} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Close();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' in {directory} did not finish in {Timeout.TotalMinutes} minutes.");
        }

        process.WaitForExit();
        return new ProcessResult(command, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
