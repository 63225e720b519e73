using System.Diagnostics;

namespace GitTheta.Core.Git;

/// <summary>
/// A git child whose standard input and output the caller streams (for a pipeline of git commands), with its
/// standard error collected on the side so that git never blocks on it.
/// </summary>
internal sealed class StreamingGitProcess : IDisposable
{
    private readonly Process process;
    private readonly Task<string> error;

    public StreamingGitProcess(string workingDirectory, IReadOnlyList<string> arguments, IDictionary<string, string?>? environment = null)
    {
        Arguments = arguments;
        process = GitCli.Start(workingDirectory, arguments, environment);
        error = process.StandardError.ReadToEndAsync();
    }

    public IReadOnlyList<string> Arguments { get; }

    public Stream Input => process.StandardInput.BaseStream;

    public Stream Output => process.StandardOutput.BaseStream;

    public void CloseInput()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // git has exited already; its exit code and standard error say why.
        }
    }

    /// <summary>Waits for git to end; its exit code and everything it wrote on standard error.</summary>
    public GitResult WaitForExit()
    {
        process.WaitForExit();
        return new GitResult(process.ExitCode, Array.Empty<byte>(), error.GetAwaiter().GetResult());
    }

    /// <summary>Ends git at once: used when the pipeline it belongs to has failed, so no stage waits on it forever.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }
}
