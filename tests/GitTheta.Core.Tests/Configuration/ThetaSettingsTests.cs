using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Configuration;

public class ThetaSettingsTests
{
    private static ThetaSettings Load(Dictionary<string, string>? environment = null, Dictionary<string, string>? config = null) =>
        ThetaSettings.Load(
            name => environment is not null && environment.TryGetValue(name, out var v) ? v : null,
            key => config is not null && config.TryGetValue(key, out var v) ? v : null);

    [Fact]
    public void Defaults_are_git_thetas()
    {
        var settings = Load();
        Assert.Equal(1e-8, settings.Atol);
        Assert.Equal(1e-5, settings.Rtol);
        Assert.Equal(16, settings.LshSignatureSize);
        Assert.Equal(1e-6, settings.LshThreshold);
        Assert.Equal(1e-8, settings.LshBucketWidth);
        Assert.Equal(16_384, settings.LshPoolSize);
        Assert.Equal(Environment.ProcessorCount, settings.MaxConcurrency);
        Assert.Equal("dense", settings.UpdateType);
        Assert.Equal(new ThetaSettings(), settings);
    }

    [Fact]
    public void Git_config_overrides_defaults()
    {
        var settings = Load(config: new()
        {
            ["theta.parameterAtol"] = "1e-6",
            ["theta.parameterRtol"] = "0.001",
            ["theta.lshSignatureSize"] = "32",
            ["theta.lshThreshold"] = "1e-4",
            ["theta.lshPoolSize"] = "5000",
            ["theta.maxConcurrency"] = "3",
            ["theta.updateType"] = "sparse",
            ["theta.logLevel"] = "DEBUG",
        });
        Assert.Equal(1e-6, settings.Atol);
        Assert.Equal(1e-6, settings.LshBucketWidth);
        Assert.Equal(0.001, settings.Rtol);
        Assert.Equal(32, settings.LshSignatureSize);
        Assert.Equal(1e-4, settings.LshThreshold);
        Assert.Equal(5000, settings.LshPoolSize);
        Assert.Equal(3, settings.MaxConcurrency);
        Assert.Equal("sparse", settings.UpdateType);
    }

    [Fact]
    public void Environment_overrides_git_config()
    {
        var settings = Load(
            environment: new()
            {
                ["GIT_THETA_PARAMETER_ATOL"] = "2e-7",
                ["GIT_THETA_LSH_SIGNATURE_SIZE"] = "8",
                ["GIT_THETA_MAX_CONCURRENCY"] = "1",
                ["GIT_THETA_UPDATE_TYPE"] = "low-rank",
                ["GIT_THETA_LOG_LEVEL"] = "info",
            },
            config: new()
            {
                ["theta.parameterAtol"] = "1e-6",
                ["theta.parameterRtol"] = "0.5",
                ["theta.lshSignatureSize"] = "32",
                ["theta.maxConcurrency"] = "3",
                ["theta.updateType"] = "sparse",
                ["theta.logLevel"] = "debug",
            });
        Assert.Equal(2e-7, settings.Atol);
        Assert.Equal(0.5, settings.Rtol);
        Assert.Equal(8, settings.LshSignatureSize);
        Assert.Equal(1, settings.MaxConcurrency);
        Assert.Equal("low-rank", settings.UpdateType);
    }

    [Fact]
    public void An_empty_environment_variable_falls_back_to_git_config()
    {
        var settings = Load(environment: new() { ["GIT_THETA_PARAMETER_RTOL"] = string.Empty }, config: new() { ["theta.parameterRtol"] = "0.25" });
        Assert.Equal(0.25, settings.Rtol);
    }

    [Fact]
    public void Numbers_parse_with_the_invariant_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal(0.5, Load(environment: new() { ["GIT_THETA_PARAMETER_RTOL"] = "0.5" }).Rtol);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("GIT_THETA_PARAMETER_ATOL", "abc")]
    [InlineData("GIT_THETA_PARAMETER_ATOL", "0")]
    [InlineData("GIT_THETA_PARAMETER_ATOL", "-1e-8")]
    [InlineData("GIT_THETA_PARAMETER_ATOL", "NaN")]
    [InlineData("GIT_THETA_PARAMETER_ATOL", "Infinity")]
    [InlineData("GIT_THETA_PARAMETER_RTOL", "-0.1")]
    [InlineData("GIT_THETA_PARAMETER_RTOL", "1,5")]
    [InlineData("GIT_THETA_LSH_THRESHOLD", "-1")]
    [InlineData("GIT_THETA_LSH_SIGNATURE_SIZE", "0")]
    [InlineData("GIT_THETA_LSH_SIGNATURE_SIZE", "1025")]
    [InlineData("GIT_THETA_LSH_SIGNATURE_SIZE", "16.5")]
    [InlineData("GIT_THETA_LSH_SIGNATURE_SIZE", "sixteen")]
    [InlineData("GIT_THETA_LSH_POOL_SIZE", "1")]
    [InlineData("GIT_THETA_MAX_CONCURRENCY", "0")]
    [InlineData("GIT_THETA_MAX_CONCURRENCY", "99999999999")]
    [InlineData("GIT_THETA_LARGE_GROUP_BYTES", "1023")]
    [InlineData("GIT_THETA_LARGE_GROUP_BYTES", "2g")]
    [InlineData("GIT_THETA_LARGE_GROUP_BYTES", "-5m")]
    [InlineData("GIT_THETA_LARGE_GROUP_BYTES", "64mb")]
    [InlineData("GIT_THETA_LARGE_GROUP_BYTES", "k")]
    public void An_invalid_value_is_GT2014_naming_the_variable_and_value(string variable, string value)
    {
        var exception = ThetaAssert.Throws(DiagnosticIds.InvalidConfiguration, () => Load(environment: new() { [variable] = value }));
        Assert.Contains(variable, exception.Message);
        Assert.Contains(value, exception.Message);
    }

    [Theory]
    [InlineData(null, 2147483591L)]
    [InlineData("4096", 4096L)]
    [InlineData("256k", 256L << 10)]
    [InlineData("256M", 256L << 20)]
    [InlineData("1g", 1L << 30)]
    public void The_large_group_size_is_bytes_with_gits_k_m_g_suffixes(string? value, long expected)
    {
        var settings = value is null ? Load() : Load(config: new() { ["theta.largeGroupBytes"] = value });

        Assert.Equal(expected, settings.LargeGroupBytes);
    }

    [Fact]
    public void An_invalid_git_config_value_is_GT2014_too()
    {
        ThetaAssert.Throws(DiagnosticIds.InvalidConfiguration, () => Load(config: new() { ["theta.lshThreshold"] = "lots" }));
    }

    [Fact]
    public void Zero_is_allowed_where_only_non_negative_is_required()
    {
        var settings = Load(environment: new() { ["GIT_THETA_PARAMETER_RTOL"] = "0", ["GIT_THETA_LSH_THRESHOLD"] = "0" });
        Assert.Equal(0, settings.Rtol);
        Assert.Equal(0, settings.LshThreshold);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("FALSE")]
    [InlineData("0")]
    [InlineData("no")]
    [InlineData("No")]
    [InlineData("off")]
    [InlineData(" off ")]
    public void ParseBool_reads_false_0_no_off_as_false(string value)
    {
        Assert.False(ThetaSettings.ParseBool(value, defaultValue: true));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("anything")]
    public void ParseBool_reads_other_values_as_true(string value)
    {
        Assert.True(ThetaSettings.ParseBool(value, defaultValue: false));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void ParseBool_of_nothing_is_the_default(string? value)
    {
        Assert.True(ThetaSettings.ParseBool(value, defaultValue: true));
        Assert.False(ThetaSettings.ParseBool(value, defaultValue: false));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData(null, "true", true)]
    [InlineData(null, "no", false)]
    [InlineData("1", "false", true)]
    [InlineData("0", "true", false)]
    [InlineData("false", null, false)]
    [InlineData("", "yes", true)]
    public void DiffStat_comes_from_GIT_THETA_DIFF_STAT_else_theta_diffStat_and_is_off_by_default(string? environment, string? config, bool expected)
    {
        var env = environment is null ? null : new Dictionary<string, string> { ["GIT_THETA_DIFF_STAT"] = environment };
        var git = config is null ? null : new Dictionary<string, string> { ["theta.diffStat"] = config };
        Assert.Equal(expected, Load(env, git).DiffStat);
        Assert.Equal(expected, ThetaSettings.LoadDiffStat(n => env?.GetValueOrDefault(n), k => git?.GetValueOrDefault(k)));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "false", false)]
    [InlineData(null, "off", false)]
    [InlineData("1", "false", true)]
    [InlineData("no", "true", false)]
    public void WriteBehind_comes_from_GIT_THETA_WRITE_BEHIND_else_theta_writeBehind_and_is_on_by_default(string? environment, string? config, bool expected)
    {
        var env = environment is null ? null : new Dictionary<string, string> { ["GIT_THETA_WRITE_BEHIND"] = environment };
        var git = config is null ? null : new Dictionary<string, string> { ["theta.writeBehind"] = config };
        Assert.Equal(expected, Load(env, git).WriteBehind);
    }
}
