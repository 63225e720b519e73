using GitTheta.Core.Git;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

public class AttributeReaderTests
{
    [Fact]
    public void One_git_answers_every_path_as_check_attr_does()
    {
        using var temp = new TempDirectory();
        GitCli.Run(temp.Path, "init", "-q").ThrowIfFailed(new[] { "init" });
        File.WriteAllText(
            Path.Combine(temp.Path, ".gitattributes"),
            "*.pt filter=theta theta-format=pytorch\n" +
            "models/** theta-update=low-rank\n" +
            "models/keep.pt -theta-update\n" +
            "with[[:space:]]space.bin theta-format=safetensors\n");
        Directory.CreateDirectory(Path.Combine(temp.Path, "models"));
        File.WriteAllText(Path.Combine(temp.Path, "models", ".gitattributes"), "ünïcode.pt theta-format=onnx\n");

        var paths = new[] { "a.pt", "models/b.pt", "models/keep.pt", "with space.bin", "models/ünïcode.pt", "other.txt", "a.pt" };
        using var reader = new AttributeReader(temp.Path, GitAttributes.FormatAttribute, "theta-update");
        foreach (var path in paths)
        {
            var expected = GitAttributes.GetMany(temp.Path, path, GitAttributes.FormatAttribute, "theta-update");
            Assert.Equal(expected.OrderBy(p => p.Key), reader.Read(path).OrderBy(p => p.Key));
        }

        Assert.Equal("pytorch", reader.Read("a.pt")[GitAttributes.FormatAttribute]);
        Assert.Equal("low-rank", reader.Read("models/b.pt")["theta-update"]);
        Assert.False(reader.Read("models/keep.pt").ContainsKey("theta-update"));
        Assert.Equal("onnx", reader.Read("models/ünïcode.pt")[GitAttributes.FormatAttribute]);
        Assert.Empty(reader.Read("other.txt"));
    }

    [Fact]
    public void After_disposal_queries_still_answer_through_a_git_of_their_own()
    {
        using var temp = new TempDirectory();
        GitCli.Run(temp.Path, "init", "-q").ThrowIfFailed(new[] { "init" });
        File.WriteAllText(Path.Combine(temp.Path, ".gitattributes"), "*.pt theta-format=pytorch\n");

        var reader = new AttributeReader(temp.Path, GitAttributes.FormatAttribute);
        Assert.Equal("pytorch", reader.Read("x.pt")[GitAttributes.FormatAttribute]);
        reader.Dispose();
        Assert.Equal("pytorch", reader.Read("y.pt")[GitAttributes.FormatAttribute]);
    }

    [Fact]
    public void Questions_asked_ahead_are_answered_for_their_own_paths_in_any_order()
    {
        using var temp = new TempDirectory();
        GitCli.Run(temp.Path, "init", "-q").ThrowIfFailed(new[] { "init" });
        File.WriteAllText(Path.Combine(temp.Path, ".gitattributes"), "*.pt theta-format=pytorch\n*.onnx theta-format=onnx\n");

        using var reader = new AttributeReader(temp.Path, GitAttributes.FormatAttribute);
        var first = reader.Ask("a.pt");
        var second = reader.Ask("b.onnx");
        var third = reader.Ask("c.txt");

        // Answered last to first: each asks git only once, and none takes another's answer.
        Assert.Empty(third.Answer());
        Assert.Equal("onnx", second.Answer()[GitAttributes.FormatAttribute]);
        Assert.Equal("pytorch", first.Answer()[GitAttributes.FormatAttribute]);
        Assert.Equal("pytorch", first.Answer()[GitAttributes.FormatAttribute]);
        Assert.Equal("pytorch", reader.Read("d.pt")[GitAttributes.FormatAttribute]);
    }

    [Fact]
    public void A_question_asked_before_disposal_is_still_answered()
    {
        using var temp = new TempDirectory();
        GitCli.Run(temp.Path, "init", "-q").ThrowIfFailed(new[] { "init" });
        File.WriteAllText(Path.Combine(temp.Path, ".gitattributes"), "*.pt theta-format=pytorch\n");

        var reader = new AttributeReader(temp.Path, GitAttributes.FormatAttribute);
        var pending = reader.Ask("x.pt");
        reader.Dispose();
        Assert.Equal("pytorch", pending.Answer()[GitAttributes.FormatAttribute]);
    }
}
