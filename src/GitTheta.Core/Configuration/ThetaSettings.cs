using System.Globalization;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Configuration;

/// <summary>
/// Tunables of the engine. Each comes from the environment (GIT_THETA_*), else git config (theta.*), else its default.
/// </summary>
public sealed record ThetaSettings
{
    public const string DefaultUpdateType = "dense";

    public double Atol { get; init; } = 1e-8;

    public double Rtol { get; init; } = 1e-5;

    public int LshSignatureSize { get; init; } = 16;

    /// <summary>Between <see cref="Atol"/> and this LSH distance the old value is loaded and compared with allclose.</summary>
    public double LshThreshold { get; init; } = 1e-6;

    public int LshPoolSize { get; init; } = 16_384;

    public int MaxConcurrency { get; init; } = Environment.ProcessorCount;

    public string UpdateType { get; init; } = DefaultUpdateType;

    /// <summary>Bucket width of the E2LSH hash: git-theta's rule, the same as atol.</summary>
    public double LshBucketWidth => Atol;

    public static ThetaSettings Load(Func<string, string?> gitConfig) => Load(Environment.GetEnvironmentVariable, gitConfig);

    public static ThetaSettings Load(Func<string, string?> environment, Func<string, string?> gitConfig)
    {
        // Each value remembers where it came from, so an error names the variable or key to fix.
        (string? Value, string Source) Get(string env, string config) =>
            environment(env) is { Length: > 0 } e ? (e, env) : (gitConfig(config), "git config " + config);

        var defaults = new ThetaSettings();
        var updateType = Get("GIT_THETA_UPDATE_TYPE", "theta.updateType").Value;
        return new ThetaSettings
        {
            Atol = ParseDouble(Get("GIT_THETA_PARAMETER_ATOL", "theta.parameterAtol"), defaults.Atol, positive: true),
            Rtol = ParseDouble(Get("GIT_THETA_PARAMETER_RTOL", "theta.parameterRtol"), defaults.Rtol, positive: false),
            LshSignatureSize = ParseInt(Get("GIT_THETA_LSH_SIGNATURE_SIZE", "theta.lshSignatureSize"), defaults.LshSignatureSize, 1, 1024),
            LshThreshold = ParseDouble(Get("GIT_THETA_LSH_THRESHOLD", "theta.lshThreshold"), defaults.LshThreshold, positive: false),
            LshPoolSize = ParseInt(Get("GIT_THETA_LSH_POOL_SIZE", "theta.lshPoolSize"), defaults.LshPoolSize, 4096, 1 << 24),
            MaxConcurrency = ParseInt(Get("GIT_THETA_MAX_CONCURRENCY", "theta.maxConcurrency"), defaults.MaxConcurrency, 1, 1024),
            UpdateType = updateType is { Length: > 0 } ? updateType : DefaultUpdateType,
        };
    }

    /// <summary>git's and git-theta's boolean spelling: false/0/no/off are false, anything else set is true.</summary>
    public static bool ParseBool(string? value, bool defaultValue)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        return value.Trim().ToLowerInvariant() switch
        {
            "false" or "0" or "no" or "off" => false,
            _ => true,
        };
    }

    private static double ParseDouble((string? Value, string Source) setting, double defaultValue, bool positive)
    {
        var (value, name) = setting;
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || double.IsNaN(parsed) || double.IsInfinity(parsed)
            || parsed < 0 || (positive && parsed == 0))
        {
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{name}='{value}' is not a valid {(positive ? "positive" : "non-negative")} number; unset it or give a value like 1e-8.");
        }

        return parsed;
    }

    private static int ParseInt((string? Value, string Source) setting, int defaultValue, int min, int max)
    {
        var (value, name) = setting;
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"{name}='{value}' is not a whole number from {min} to {max}; unset it or fix it.");
        }

        return parsed;
    }
}
