using GitTheta.Core.Diagnostics;
using GitTheta.Core.Merges;

namespace GitTheta.Core.Tests.Merges;

public class MergeStrategySelectionTests
{
    private static MergeStrategySelection Load(string[]? rules = null, string? environment = null, string? attribute = null, string? config = null) =>
        MergeStrategySelection.Load(new MergeStrategySources(rules ?? Array.Empty<string>(), environment, attribute, config), MergeStrategyRegistry.Default);

    [Fact]
    public void Nothing_set_selects_nothing()
    {
        var selection = Load(environment: "", attribute: null, config: "  ");
        Assert.True(selection.IsEmpty);
        Assert.Null(selection.For("w"));
    }

    [Fact]
    public void The_environment_beats_the_attribute_which_beats_git_config()
    {
        Assert.Equal("theirs", Load(environment: "theirs", attribute: "base", config: "ours").For("w")!.Choice.ToString());
        Assert.Equal("base", Load(attribute: "base", config: "ours").For("w")!.Choice.ToString());
        var fromConfig = Load(config: "average:alpha=0.25").For("w")!;
        Assert.Equal("average:alpha=0.25", fromConfig.Choice.ToString());
        Assert.Equal("git config theta.merge.strategy", fromConfig.Source);
        Assert.Equal("GIT_THETA_MERGE_STRATEGY", Load(environment: "ours").For("w")!.Source);
        Assert.Equal("gitattribute theta-merge", Load(attribute: "ours").For("w")!.Source);
    }

    [Fact]
    public void A_matching_rule_beats_every_general_setting_and_the_last_matching_rule_wins()
    {
        var selection = Load(new[] { "*.bias=ours", "*=base", "decoder.*=task-arithmetic:lambda=0.5" }, environment: "theirs");
        Assert.Equal("task-arithmetic:lambda=0.5", selection.For("decoder.bias")!.Choice.ToString());
        Assert.Equal("base", selection.For("encoder.bias")!.Choice.ToString());
        Assert.Equal("git config theta.merge.rule '*=base'", selection.For("encoder.bias")!.Source);
        var narrow = Load(new[] { "*.bias=ours" }, environment: "theirs");
        Assert.Equal("ours", narrow.For("layer.0.bias")!.Choice.ToString());
        Assert.Equal("theirs", narrow.For("layer.0.weight")!.Choice.ToString());
        Assert.Null(Load(new[] { "*.bias=ours" }).For("layer.0.weight"));
    }

    [Theory]
    [InlineData("ours")]
    [InlineData("=ours")]
    [InlineData("*.bias=avg")]
    [InlineData("layer.[z-a]=ours")]
    public void A_malformed_rule_is_a_configuration_error(string rule)
    {
        var error = Assert.Throws<ThetaException>(() => Load(new[] { rule }));
        Assert.Equal(DiagnosticIds.InvalidConfiguration, error.Code);
        Assert.Contains("theta.merge.rule", error.Message);
    }

    [Fact]
    public void Every_setting_is_checked_even_when_a_stronger_one_is_set()
    {
        var error = Assert.Throws<ThetaException>(() => Load(environment: "ours", config: "averge"));
        Assert.Contains("git config theta.merge.strategy", error.Message);
    }

    [Fact]
    public void A_bare_theta_merge_attribute_without_a_value_is_refused()
    {
        var error = Assert.Throws<ThetaException>(() => Load(attribute: "set"));
        Assert.Contains("theta-merge=<strategy>", error.Message);
    }
}
