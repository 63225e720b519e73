using System.Globalization;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Tool.Progress;

/// <summary>
/// Whether and where progress goes, decided once per command: on stderr when it is a terminal (as git and git-lfs
/// do), forced on or off by <c>--progress</c>/<c>--quiet</c> or GIT_THETA_PROGRESS, and, as git-lfs does, appended to
/// the file GIT_LFS_PROGRESS names whatever the terminal.
/// </summary>
internal sealed record ProgressSettings(bool ToTerminal, long Threshold, string? ProgressFile)
{
    public const string ProgressVariable = "GIT_THETA_PROGRESS";
    public const string ThresholdVariable = "GIT_THETA_PROGRESS_THRESHOLD";
    public const string LfsProgressFileVariable = "GIT_LFS_PROGRESS";

    /// <summary>Below this a clean or smudge is over before a meter would be worth reading.</summary>
    public const long DefaultThreshold = 64L << 20;

    public static ProgressSettings Off { get; } = new(false, DefaultThreshold, null);

    /// <summary>True when some progress is reported at all; when false no stream is wrapped and no callback runs.</summary>
    public bool Enabled => ToTerminal || ProgressFile is not null;

    /// <param name="quiet"><c>--quiet</c>: no progress on the terminal.</param>
    /// <param name="forced"><c>--progress</c>: progress on stderr even when it is not a terminal (git's meaning of the flag).</param>
    public static ProgressSettings Resolve(bool quiet = false, bool forced = false)
    {
        var threshold = ParseThreshold(Environment.GetEnvironmentVariable(ThresholdVariable));
        var file = Environment.GetEnvironmentVariable(LfsProgressFileVariable) is { Length: > 0 } path ? path : null;
        bool toTerminal;
        if (quiet)
        {
            toTerminal = false;
        }
        else if (forced)
        {
            toTerminal = true;
        }
        else if (Environment.GetEnvironmentVariable(ProgressVariable) is { Length: > 0 } setting)
        {
            toTerminal = ThetaSettings.ParseBool(setting, defaultValue: false);
        }
        else
        {
            // git runs filters and hooks with the user's stderr, so this is the user's terminal even under git add.
            toTerminal = !Console.IsErrorRedirected;
        }

        return new ProgressSettings(toTerminal, threshold, file);
    }

    /// <summary>A byte count with git's optional k, m or g suffix, like the other size settings.</summary>
    private static long ParseThreshold(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultThreshold;
        }

        if (!ByteCount.TryParse(value, out var bytes))
        {
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{ThresholdVariable}='{value}' is not a byte count (a number, optionally with k, m or g, e.g. 64m); unset it or fix it.");
        }

        return bytes;
    }
}
