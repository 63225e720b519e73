using GitTheta.Core.Git;

namespace GitTheta.Core.Tests.Git;

public class RevisionPathTests
{
    /// <summary>Stands in for the repository: the current directory is "sub" below the top.</summary>
    private static string FromSubfolder(string path) => path switch
    {
        "./m.safetensors" or "m.safetensors" => "sub/m.safetensors",
        "../m.safetensors" => "m.safetensors",
        _ => "sub/" + path,
    };

    [Theory]
    [InlineData("HEAD:model.safetensors", "HEAD", 0, "model.safetensors")]
    [InlineData("HEAD~1:models/a.safetensors", "HEAD~1", 0, "models/a.safetensors")]
    [InlineData("v1.2:./m.safetensors", "v1.2", 0, "sub/m.safetensors")]
    [InlineData("main:../m.safetensors", "main", 0, "m.safetensors")]
    [InlineData(":model.safetensors", null, 0, "model.safetensors")]
    [InlineData(":2:model.safetensors", null, 2, "model.safetensors")]
    [InlineData(":./m.safetensors", null, 0, "sub/m.safetensors")]
    [InlineData("m.safetensors", null, 0, "sub/m.safetensors")]
    [InlineData("HEAD:/top.safetensors", "HEAD", 0, "top.safetensors")]
    public void Parses_git_revision_path_forms(string spec, string? revision, int stage, string path)
    {
        var parsed = RevisionPath.Parse(spec, FromSubfolder);
        Assert.Equal(new RevisionPath(revision, stage, path), parsed);
    }

    [Fact]
    public void Describes_where_the_version_lives()
    {
        Assert.Equal("HEAD~1", RevisionPath.Parse("HEAD~1:a", FromSubfolder).Where);
        Assert.Equal("the index", RevisionPath.Parse(":a", FromSubfolder).Where);
        Assert.Equal("stage 3 of the index", RevisionPath.Parse(":3:a", FromSubfolder).Where);
        Assert.Equal(":3:a", RevisionPath.Parse(":3:a", FromSubfolder).ToString());
        Assert.Equal("HEAD:a", RevisionPath.Parse("HEAD:a", FromSubfolder).ToString());
    }
}
