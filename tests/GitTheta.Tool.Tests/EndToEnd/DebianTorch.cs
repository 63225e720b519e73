using System.Diagnostics;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Runs Python code with Debian's PyTorch (/usr/bin/python3 with python3-torch). Tests that need it
/// fail with instructions when it is missing; they are never skipped.
/// </summary>
public static class DebianTorch
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        var (code, _, error) = Run("import torch", Array.Empty<string>());
        return code == 0 ? null : error;
    });

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/> in sys.argv[1:]; returns standard output, failing the test on a non-zero exit.</summary>
    public static string RunOk(string script, params string[] arguments)
    {
        if (Missing.Value is { } why)
        {
            throw new InvalidOperationException($"PyTorch is not importable by {Python} ({why.Trim()}). Install Debian's python3-torch: apt-get install -y python3-torch (.ci/run does).");
        }

        var (code, output, error) = Run(script, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"python failed with exit code {code}:\n{error}\n{output}");
        }

        return output;
    }

    private static (int Code, string Output, string Error) Run(string script, string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, string.Empty, $"{Python} cannot be started: {e.Message}");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("python did not finish in 3 minutes.");
            }

            return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
    }
}
