namespace GitTheta.Analyzers.Tests;

public sealed class ModelPathTests
{
    [Theory]
    [InlineData("models/a.pt", "models/a.pt")]
    [InlineData(@"models\a.pt", "models/a.pt")]
    [InlineData("./models/a.pt", "models/a.pt")]
    [InlineData(@".\.\models\\a.pt", "models/a.pt")]
    [InlineData("models/../other/a.pt", "other/a.pt")]
    [InlineData("../shared/a.pt", "../shared/a.pt")]
    [InlineData("../../a.pt", "../../a.pt")]
    [InlineData("models/", "models")]
    [InlineData("/app/models/a.pt", "/app/models/a.pt")]
    [InlineData("/../a.pt", "/a.pt")]
    [InlineData(@"c:\Models\a.pt", "C:/Models/a.pt")]
    [InlineData(@"\\server\share\a.pt", "//server/share/a.pt")]
    [InlineData("", "")]
    public void Normalize_gives_one_spelling_per_path(string path, string expected)
    {
        Assert.Equal(expected, ModelPath.Normalize(path));
    }

    [Theory]
    [InlineData("/opt/a.pt", true)]
    [InlineData(@"\models\a.pt", true)]
    [InlineData(@"\\server\share\a.pt", true)]
    [InlineData(@"C:\a.pt", true)]
    [InlineData("d:a.pt", true)]
    [InlineData("models/a.pt", false)]
    [InlineData("./a.pt", false)]
    [InlineData("~/a.pt", false)]
    [InlineData("1:a.pt", false)]
    [InlineData("", false)]
    public void IsAbsolute_knows_unix_and_windows_roots_on_every_system(string path, bool expected)
    {
        Assert.Equal(expected, ModelPath.IsAbsolute(path));
    }

    [Theory]
    [InlineData("/app", "/app/models/a.pt", "models/a.pt")]
    [InlineData("/app", "/application/a.pt", null)]
    [InlineData("/app", "/app", null)]
    [InlineData("/app", "/other/a.pt", null)]
    [InlineData("C:/src/app", "C:/src/app/a.pt", "a.pt")]
    public void RelativeTo_gives_the_part_below_the_folder(string directory, string path, string? expected)
    {
        Assert.Equal(expected, ModelPath.RelativeTo(directory, path, StringComparer.Ordinal));
    }

    [Fact]
    public void RelativeTo_follows_the_comparer_for_case()
    {
        Assert.Equal("a.pt", ModelPath.RelativeTo("/App", "/app/a.pt", StringComparer.OrdinalIgnoreCase));
        Assert.Null(ModelPath.RelativeTo("/App", "/app/a.pt", StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("models/a.pt", "a.pt")]
    [InlineData(@"models\sub\a.pt", "a.pt")]
    [InlineData("a.pt", "a.pt")]
    [InlineData("models/", "")]
    public void FileNameOf_takes_the_last_segment_after_either_separator(string path, string expected)
    {
        Assert.Equal(expected, ModelPath.FileNameOf(path));
    }
}
