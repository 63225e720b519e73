using GitTheta.Core.Diagnostics;
using GitTheta.Core.Merges;

namespace GitTheta.Core.Tests.Merges;

public class StrategyChoiceTests
{
    private static StrategyChoice Parse(string text) => StrategyChoice.Parse(text, MergeStrategyRegistry.Default, "GIT_THETA_MERGE_STRATEGY");

    [Fact]
    public void A_bare_name_takes_the_defaults()
    {
        var choice = Parse("average");
        Assert.Equal("average", choice.Strategy.Name);
        Assert.Equal(0.5, choice.Arguments["alpha"]);
        Assert.Equal("average:alpha=0.5", choice.ToString());
        Assert.Equal("ours", Parse(" ours ").ToString());
        Assert.Equal(1.0, Parse("task-arithmetic").Arguments["lambda"]);
    }

    [Fact]
    public void Arguments_are_named_by_name_or_symbol()
    {
        Assert.Equal(0.3, Parse("average:alpha=0.3").Arguments["alpha"]);
        Assert.Equal(0.3, Parse("average: α = 0.3").Arguments["alpha"]);
        var all = Parse("average-all:alpha=0.5,beta=0.125");
        Assert.Equal(0.5, all.Arguments["alpha"]);
        Assert.Equal(0.125, all.Arguments["beta"]);
        Assert.Equal("average-all:alpha=0.5,beta=0.125", all.ToString());
        Assert.Equal(-0.5, Parse("task-arithmetic:λ=-0.5").Arguments["lambda"]);
    }

    [Theory]
    [InlineData("avg", "there is no merge strategy 'avg'")]
    [InlineData("average:alpha=2", "alpha must be from 0 to 1")]
    [InlineData("average:alpha=half", "is not <argument>=<number>")]
    [InlineData("average:gamma=0.1", "has no argument 'gamma'")]
    [InlineData("ours:alpha=0.1", "takes no arguments")]
    [InlineData("average-all:alpha=0.9,beta=0.2", "alpha + beta must be at most 1")]
    [InlineData("task-arithmetic:lambda=nan", "finite")]
    public void Bad_specifications_are_configuration_errors_naming_the_source(string text, string problem)
    {
        var error = Assert.Throws<ThetaException>(() => Parse(text));
        Assert.Equal(DiagnosticIds.InvalidConfiguration, error.Code);
        Assert.Contains(problem, error.Message);
        Assert.StartsWith("GIT_THETA_MERGE_STRATEGY: ", error.Message);
    }
}
