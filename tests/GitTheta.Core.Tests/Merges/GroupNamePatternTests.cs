using GitTheta.Core.Merges;

namespace GitTheta.Core.Tests.Merges;

public class GroupNamePatternTests
{
    [Theory]
    [InlineData("*.bias", "encoder.layer.0.bias", true)]
    [InlineData("*.bias", "bias", false)]
    [InlineData("*.bias", "encoder.bias.weight", false)]
    [InlineData("encoder.*", "encoder.layer.0.weight", true)]
    [InlineData("layer.?.weight", "layer.7.weight", true)]
    [InlineData("layer.?.weight", "layer.10.weight", false)]
    [InlineData("layer.[0-2].weight", "layer.1.weight", true)]
    [InlineData("layer.[0-2].weight", "layer.3.weight", false)]
    [InlineData("layer.[!0-2].weight", "layer.3.weight", true)]
    [InlineData("decoder.weight", "decoder.weight", true)]
    [InlineData("decoder.weight", "decoderXweight", false)]
    [InlineData("Decoder.*", "decoder.weight", false)]
    [InlineData(@"a\*b", "a*b", true)]
    [InlineData(@"a\*b", "axb", false)]
    [InlineData("(x)+", "(x)+", true)]
    [InlineData("a[", "a[", true)]
    [InlineData("[", "[", true)]
    [InlineData("a[b", "a[b", true)]
    public void Globs_match_whole_group_names(string glob, string name, bool expected)
    {
        Assert.Equal(expected, new GroupNamePattern(glob).Matches(name));
    }
}
