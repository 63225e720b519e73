namespace GitTheta.Analyzers.Tests;

public sealed class ModelExtensionsTests
{
    [Theory]
    [InlineData(".safetensors .pt")]
    [InlineData(".safetensors,.pt")]
    [InlineData(".safetensors;.pt")]
    [InlineData(" .safetensors , \t.pt ;")]
    [InlineData("safetensors pt")]
    [InlineData("*.safetensors,*.PT")]
    [InlineData(".pt .safetensors .pt")]
    public void Lists_separated_by_spaces_commas_or_semicolons_parse_alike(string list)
    {
        Assert.Equal(new[] { ".safetensors", ".pt" }, ModelExtensions.Parse(list).Values);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , ; ")]
    public void Empty_list_means_the_default_extensions(string? list)
    {
        Assert.Equal(
            ModelExtensions.Defaults.OrderBy(extension => extension, StringComparer.Ordinal),
            ModelExtensions.Parse(list).Values.OrderBy(extension => extension, StringComparer.Ordinal));
    }

    [Fact]
    public void Defaults_are_the_documented_nine()
    {
        Assert.Equal(
            new[] { ".safetensors", ".pt", ".pth", ".bin", ".ckpt", ".onnx", ".gguf", ".h5", ".msgpack" },
            ModelExtensions.Defaults);
    }

    [Theory]
    [InlineData("a.safetensors", ".safetensors")]
    [InlineData("A.SafeTensors", ".safetensors")]
    [InlineData("weights.pth", ".pth")]
    [InlineData("weights.pt", ".pt")]
    [InlineData(".pt", null)]
    [InlineData("a.pt.bak", null)]
    [InlineData("a.txt", null)]
    public void Match_needs_the_extension_at_the_end_of_a_named_file(string fileName, string? expected)
    {
        Assert.Equal(expected, ModelExtensions.Parse(null).Match(fileName));
    }

    [Theory]
    [InlineData("models/a.safetensors", true)]
    [InlineData("A.SAFETENSORS", true)]
    [InlineData(".pt", true)]
    [InlineData("a.pt.bak", false)]
    [InlineData("a.pt ", false)]
    [InlineData("", false)]
    [InlineData("report.txt", false)]
    public void EndsWithExtension_accepts_the_extension_alone(string text, bool expected)
    {
        Assert.Equal(expected, ModelExtensions.Parse(null).EndsWithExtension(text));
    }

    [Theory]
    [InlineData("tensors", true)]
    [InlineData("TENSORS", true)]
    [InlineData("safetensors", true)]
    [InlineData("nx", true)]
    [InlineData("t", true)]
    [InlineData(".safetensors", false)]
    [InlineData("", false)]
    [InlineData("tensor", false)]
    [InlineData("xt", false)]
    public void IsPartialExtension_accepts_only_proper_tails_of_an_extension(string text, bool expected)
    {
        Assert.Equal(expected, ModelExtensions.Parse(null).IsPartialExtension(text));
    }

    [Fact]
    public void Extensions_beyond_ASCII_are_compared_without_the_ASCII_shortcut()
    {
        var extensions = ModelExtensions.Parse(".pt .modé");

        Assert.True(extensions.EndsWithExtension("a.MODÉ"));
        Assert.True(extensions.EndsWithExtension("a.PT"));
        Assert.False(extensions.EndsWithExtension("a.mode"));
        Assert.Equal(".modé", extensions.Match("a.MODÉ"));
    }

    [Fact]
    public void Longer_extension_wins_over_its_suffix()
    {
        var extensions = ModelExtensions.Parse(".gz .tar.gz");

        Assert.Equal(".tar.gz", extensions.Match("weights.tar.gz"));
    }
}
