using System.Diagnostics;
using System.Text;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Git;

/// <summary>Runs the real git (and git-lfs through it) where git's own semantics are what we want.</summary>
internal static class GitCli
{
    public static GitResult Run(string workingDirectory, IEnumerable<string> arguments, byte[]? input = null, IDictionary<string, string?>? environment = null)
    {
        using var process = Start(workingDirectory, arguments, environment);
        var stdout = new MemoryStream();
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdoutTask = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        try
        {
            if (input is not null)
            {
                process.StandardInput.BaseStream.Write(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // git exited without reading all input; its exit code and stderr say why.
        }

        stdoutTask.GetAwaiter().GetResult();
        var stderr = stderrTask.GetAwaiter().GetResult();
        process.WaitForExit();
        return new GitResult(process.ExitCode, stdout.ToArray(), stderr);
    }

    /// <summary>Starts git with every standard stream redirected; the caller reads and writes them.</summary>
    public static Process Start(string workingDirectory, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
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
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ThetaException(DiagnosticIds.GitFailed, $"cannot run git ({e.Message}); install git and make sure it is on PATH.");
        }
    }

    public static GitResult Run(string workingDirectory, params string[] arguments) => Run(workingDirectory, (IEnumerable<string>)arguments);

    /// <summary>The arguments, then "--" and the pathspecs when there are any (none means the whole tree to git).</summary>
    public static string[] WithPathspecs(IEnumerable<string> arguments, IReadOnlyList<string> pathspecs) =>
        pathspecs.Count == 0 ? arguments.ToArray() : arguments.Append("--").Concat(pathspecs).ToArray();

    /// <summary>Runs git and returns its standard output as text, failing with a clear message when git fails.</summary>
    public static string Check(string workingDirectory, params string[] arguments)
    {
        var result = Run(workingDirectory, arguments);
        result.ThrowIfFailed(arguments);
        return result.Text;
    }
}

internal sealed record GitResult(int ExitCode, byte[] Output, string Error)
{
    public string Text => Encoding.UTF8.GetString(Output);

    public bool Succeeded => ExitCode == 0;

    public void ThrowIfFailed(IEnumerable<string> arguments)
    {
        if (!Succeeded)
        {
            var message = Error.Trim().Split('\n').FirstOrDefault(l => l.Length > 0) ?? $"exit code {ExitCode}";
            throw new ThetaException(DiagnosticIds.GitFailed, $"'git {string.Join(' ', arguments)}' failed: {message}");
        }
    }
}
