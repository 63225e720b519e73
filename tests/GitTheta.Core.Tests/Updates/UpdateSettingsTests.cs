using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

public sealed class UpdateSettingsTests
{
    private static ThetaSettings Load(Dictionary<string, string>? environment = null, Dictionary<string, string>? config = null) =>
        ThetaSettings.Load(
            name => environment is not null && environment.TryGetValue(name, out var v) ? v : null,
            key => config is not null && config.TryGetValue(key, out var v) ? v : null);

    [Fact]
    public void Defaults()
    {
        var settings = Load();
        Assert.Equal(16, settings.MaxChainDepth);
        Assert.Equal(1e-12, settings.SparseThreshold);
        Assert.Null(settings.LowRankRank);
        Assert.Null(settings.LowRankThreshold);
        Assert.Null(settings.Ia3BroadcastDims);
        Assert.Null(settings.UpdateDataPath);
        Assert.False(settings.UpdateTypeFromEnvironment);
    }

    [Fact]
    public void Git_config_and_environment_set_them()
    {
        var settings = Load(
            environment: new() { ["GIT_THETA_RANK"] = "8", ["GIT_THETA_UPDATE_DATA"] = "/tmp/lora.safetensors", ["GIT_THETA_IA3_BROADCAST_DIMS"] = "0, -1" },
            config: new() { ["theta.maxChainDepth"] = "0", ["theta.sparseThreshold"] = "1e-6", ["theta.lowRankThreshold"] = "0.001", ["theta.rank"] = "4", ["theta.updateData"] = "ignored" });
        Assert.Equal(0, settings.MaxChainDepth);
        Assert.Equal(1e-6, settings.SparseThreshold);
        Assert.Equal(8, settings.LowRankRank);
        Assert.Equal(0.001, settings.LowRankThreshold);
        Assert.Equal(new[] { 0, -1 }, settings.Ia3BroadcastDims);
        Assert.Equal("/tmp/lora.safetensors", settings.UpdateDataPath);
        Assert.Null(Load(config: new() { ["theta.updateData"] = "x" }).UpdateDataPath);
    }

    [Theory]
    [InlineData("GIT_THETA_MAX_CHAIN_DEPTH", "-1")]
    [InlineData("GIT_THETA_MAX_CHAIN_DEPTH", "1025")]
    [InlineData("GIT_THETA_RANK", "0")]
    [InlineData("GIT_THETA_RANK", "two")]
    [InlineData("GIT_THETA_SPARSE_THRESHOLD", "-1e-12")]
    [InlineData("GIT_THETA_LOW_RANK_THRESHOLD", "NaN")]
    [InlineData("GIT_THETA_IA3_BROADCAST_DIMS", "1;2")]
    [InlineData("GIT_THETA_IA3_BROADCAST_DIMS", "99")]
    public void Invalid_values_are_GT2014_naming_the_variable(string variable, string value)
    {
        var exception = ThetaAssert.Throws(DiagnosticIds.InvalidConfiguration, () => Load(environment: new() { [variable] = value }));
        Assert.Contains(variable, exception.Message);
    }

    [Fact]
    public void The_environment_outranks_the_attribute_which_outranks_git_config()
    {
        Assert.Equal("low-rank", UpdateTypeSelection.Resolve(Load(environment: new() { ["GIT_THETA_UPDATE_TYPE"] = "low-rank" }, config: new() { ["theta.updateType"] = "ia3" }), "sparse"));
        Assert.Equal("sparse", UpdateTypeSelection.Resolve(Load(config: new() { ["theta.updateType"] = "ia3" }), "sparse"));
        Assert.Equal("ia3", UpdateTypeSelection.Resolve(Load(config: new() { ["theta.updateType"] = "ia3" }), null));
        Assert.Equal("dense", UpdateTypeSelection.Resolve(Load(), null));
    }

    [Fact]
    public void Every_update_type_is_registered()
    {
        Assert.Equal(new[] { "dense", "ia3", "low-rank", "sparse" }, UpdateTypeRegistry.Default.Names);
        Assert.All(new[] { "ia3", "low-rank", "sparse" }, n => Assert.True(UpdateTypeRegistry.Default.Get(n, "test").IsIncremental));
    }
}
