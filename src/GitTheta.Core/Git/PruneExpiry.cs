using System.Globalization;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Git;

/// <summary>
/// How old an unreferenced object must be before <c>git theta gc</c> deletes it, written as git writes
/// <c>gc.pruneExpire</c>: <c>now</c>, <c>never</c>, <c>2.weeks.ago</c>, <c>"1 hour ago"</c>, <c>2024-05-01</c>.
/// git itself parses the value (<c>git config --type=expiry-date</c>), so every spelling git accepts works the same
/// here, and one it rejects is an error rather than silently "now".
/// </summary>
internal static class PruneExpiry
{
    public const string ConfigKey = "theta.gcPruneExpire";

    public const string DefaultValue = "1.hour.ago";

    /// <summary>git's "now": expire everything, whatever its time.</summary>
    private const ulong Everything = ulong.MaxValue;

    /// <summary>
    /// Objects modified before the returned moment (UTC) may be deleted: the <c>--prune</c> value when given, else the
    /// git config <see cref="ConfigKey"/>, else <see cref="DefaultValue"/>. <see cref="DateTime.MaxValue"/> for "now",
    /// <see cref="DateTime.MinValue"/> for "never".
    /// </summary>
    public static DateTime Resolve(string workingDirectory, string? commandLineValue)
    {
        if (commandLineValue is not null)
        {
            var given = string.IsNullOrWhiteSpace(commandLineValue) ? null : Parse(workingDirectory, commandLineValue);
            return given ?? throw new ThetaException(
                DiagnosticIds.InvalidArguments,
                $"--prune='{commandLineValue}' is not a date git understands; give now, never, a relative date such as 2.weeks.ago or \"3 hours ago\", or a date such as 2024-05-01.");
        }

        var configured = GitCli.Run(workingDirectory, "config", "--type=expiry-date", ConfigKey);
        if (configured.ExitCode == 1 && configured.Error.Trim().Length == 0)
        {
            return Parse(workingDirectory, DefaultValue)!.Value;
        }

        if (!configured.Succeeded || !TryReadTimestamp(configured.Text, out var timestamp))
        {
            var why = configured.Error.Trim().Split('\n')[0];
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"git config {ConfigKey} is not a date git understands ({why}); set it to now, never, a relative date such as 2.weeks.ago, or unset it.");
        }

        return ToUtc(timestamp);
    }

    private static DateTime? Parse(string workingDirectory, string value)
    {
        // -c outranks every config file, so git reads exactly this value under the key.
        var parsed = GitCli.Run(workingDirectory, "-c", $"{ConfigKey}={value}", "config", "--type=expiry-date", ConfigKey);
        return parsed.Succeeded && TryReadTimestamp(parsed.Text, out var timestamp) ? ToUtc(timestamp) : null;
    }

    private static bool TryReadTimestamp(string output, out ulong timestamp) =>
        ulong.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out timestamp);

    private static DateTime ToUtc(ulong secondsSinceEpoch)
    {
        if (secondsSinceEpoch == Everything)
        {
            return DateTime.MaxValue;
        }

        if (secondsSinceEpoch == 0)
        {
            return DateTime.MinValue;
        }

        var latest = (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds();
        return secondsSinceEpoch >= latest ? DateTime.MaxValue : DateTimeOffset.FromUnixTimeSeconds((long)secondsSinceEpoch).UtcDateTime;
    }
}
