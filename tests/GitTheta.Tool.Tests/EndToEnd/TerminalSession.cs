using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// A command run in a sandbox with its standard input held open, the way a person at a keyboard holds it: either a
/// plain pipe (no terminal) or a pseudo-terminal made by util-linux's <c>script</c>. Output is collected as it comes,
/// so a test can wait for a prompt before typing the answer, as expect does.
/// </summary>
internal sealed partial class TerminalSession : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly object gate = new();
    private readonly Task readOut;
    private readonly Task readError;

    private TerminalSession(Process process)
    {
        this.process = process;
        readOut = Pump(process.StandardOutput);
        readError = Pump(process.StandardError);
    }

    /// <summary>
    /// Everything the command wrote so far (standard output and error interleaved as they arrived), without terminal
    /// control sequences (bold, cursor movement), so tests look for the text a person reads.
    /// </summary>
    public string Output
    {
        get
        {
            lock (gate)
            {
                return ControlSequence().Replace(output.ToString(), string.Empty);
            }
        }
    }

    /// <summary>Runs <paramref name="arguments"/> in <paramref name="directory"/> with a pipe for standard input that stays open until disposal.</summary>
    public static TerminalSession WithOpenPipe(Sandbox sandbox, string directory, IDictionary<string, string?> extra, params string[] arguments) =>
        new(Start(sandbox, directory, arguments[0], arguments.Skip(1), extra));

    /// <summary>Runs a shell command line on a pseudo-terminal (<c>script -qec</c>), 200 columns, TERM=xterm, git's "never prompt" lifted.</summary>
    public static TerminalSession OnPseudoTerminal(Sandbox sandbox, string directory, IDictionary<string, string?> extra, string commandLine)
    {
        var environment = new Dictionary<string, string?>(extra) { ["TERM"] = "xterm", ["GIT_TERMINAL_PROMPT"] = null };

        // script's terminal has no size; a wide one keeps every line of output on one line.
        return new(Start(sandbox, directory, "script", new[] { "-qec", "stty cols 200 rows 50; " + commandLine, "/dev/null" }, environment));
    }

    /// <summary>Waits until <paramref name="text"/> has appeared <paramref name="occurrence"/> times; fails with the output so far otherwise.</summary>
    public void WaitFor(string text, int occurrence = 1)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (Count(Output, text) < occurrence)
        {
            if (process.HasExited && Count(Output, text) < occurrence)
            {
                // Let the readers drain what the process wrote before it exited.
                Task.WaitAll(readOut, readError);
                if (Count(Output, text) >= occurrence)
                {
                    return;
                }

                throw new Xunit.Sdk.XunitException($"'{text}' never appeared (occurrence {occurrence}); the command exited with {process.ExitCode}. Output:\n{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"'{text}' did not appear (occurrence {occurrence}). Output so far:\n{Output}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>
    /// Sends keys, a moment after the prompt appeared: a prompt is drawn before the program puts the terminal into
    /// raw mode to read keys, and keys that arrive in between go through the line discipline (a loaded machine
    /// widens that gap), as they would for a person typing ahead.
    /// </summary>
    public void Type(string keys)
    {
        Thread.Sleep(250);

        // One key at a time: a burst of arrow keys can reach the prompt split inside an escape sequence on a loaded
        // machine, and a split "\e[B" is read as Escape and two letters, not as Down.
        for (var i = 0; i < keys.Length;)
        {
            var length = keys[i] == '\u001b' && i + 2 < keys.Length && keys[i + 1] == '[' ? 3 : 1;
            process.StandardInput.Write(keys.AsSpan(i, length));
            process.StandardInput.Flush();
            i += length;
            Thread.Sleep(20);
        }
    }

    /// <summary>The exit code; fails if the command is still running after two minutes (it waited for input it must not wait for).</summary>
    public int WaitForExit()
    {
        if (!process.WaitForExit(Patience))
        {
            throw new Xunit.Sdk.XunitException($"the command was still running after {Patience.TotalMinutes} minutes, waiting for input. Output so far:\n{Output}");
        }

        Task.WaitAll(readOut, readError);
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private static int Count(string haystack, string needle)
    {
        var count = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static Process Start(Sandbox sandbox, string directory, string file, IEnumerable<string> arguments, IDictionary<string, string?> extra)
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

        // The same environment Sandbox.Run gives every command: nothing from the shell's GIT_* variables.
        sandbox.ApplyEnvironment(start.Environment, extra);
        return Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
    }

    [GeneratedRegex(@"\u001b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78DEHMc])")]
    private static partial Regex ControlSequence();

    private Task Pump(StreamReader reader) => Task.Run(() =>
    {
        var buffer = new char[4096];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            lock (gate)
            {
                output.Append(buffer, 0, n);
            }
        }
    });
}
