using System.Globalization;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// A command run under a watchdog (coreutils <c>timeout</c>) and <c>/usr/bin/time</c>, which reports the peak RSS of
/// the largest process of the tree (git, and the git-theta filter it started and waited for). The bounds these tests
/// apply are orders of magnitude, not timings: bench/hostile.py records the real numbers.
/// </summary>
public sealed record HostileMeasuredRun(ProcessResult Result, bool TimedOut, double Seconds, double? PeakRssMiB)
{
    public static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(30);

    /// <summary>Generous: the tool runs in ~50 MiB; a hostile claim that were honoured would take gigabytes.</summary>
    public const double RssBoundMiB = 1024;

    public static HostileMeasuredRun Run(Sandbox sandbox, string directory, string file, IEnumerable<string> arguments, byte[]? input = null)
    {
        var report = Path.Combine(sandbox.Root, $"time-{Guid.NewGuid():N}.txt");
        var hasTime = File.Exists("/usr/bin/time");
        var command = new List<string> { "-k", "5", ((int)Watchdog.TotalSeconds).ToString(CultureInfo.InvariantCulture), file };
        command.AddRange(arguments);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = hasTime
            ? sandbox.Run("/usr/bin/time", new[] { "-f", "%e %M", "-o", report, "timeout" }.Concat(command), directory, input ?? Array.Empty<byte>())
            : sandbox.Run("timeout", command, directory, input ?? Array.Empty<byte>());
        var seconds = started.Elapsed.TotalSeconds;
        double? rss = null;
        if (hasTime && File.Exists(report))
        {
            // "Command exited with non-zero status N" may come first; the last line is "<seconds> <KiB>".
            var last = File.ReadAllLines(report).Last(l => l.Length > 0).Split(' ');
            rss = double.Parse(last[1], CultureInfo.InvariantCulture) / 1024;
        }

        return new HostileMeasuredRun(result, result.ExitCode is 124 or 137 && seconds >= Watchdog.TotalSeconds - 1, seconds, rss);
    }

    /// <summary>The lines git-theta reported as errors.</summary>
    public IReadOnlyList<string> ErrorLines => Result.Error.Split('\n').Where(l => l.StartsWith("git-theta: error", StringComparison.Ordinal)).ToList();

    public string Describe() =>
        $"exit {Result.ExitCode} after {Seconds:F1} s, peak RSS {(TimedOut ? "unknown (killed by the watchdog)" : PeakRssMiB is { } r ? $"{r:F0} MiB" : "not measured")}\nstderr:\n{Result.Error}\nstdout ({Result.Output.Length} chars):\n{(Result.Output.Length > 400 ? Result.Output[..400] + "…" : Result.Output)}";
}
