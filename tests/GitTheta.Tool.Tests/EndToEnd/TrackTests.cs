using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class TrackTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Track_keeps_other_attributes_and_is_idempotent()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.Write(".gitattributes", "*.txt text eol=lf\nmodels/a.safetensors -text export-ignore\n"u8.ToArray());
        repo.ThetaOk("track", "models/a.safetensors");
        var attributes = File.ReadAllText(repo.Path(".gitattributes"));
        Assert.Contains("*.txt text eol=lf\n", attributes);
        Assert.Contains("models/a.safetensors -text export-ignore filter=theta diff=theta merge=theta\n", attributes);
        Assert.Contains("already tracked", repo.ThetaOk("track", "models/a.safetensors"));
        Assert.Equal(attributes, File.ReadAllText(repo.Path(".gitattributes")));
        Assert.Equal("models/a.safetensors: filter: theta\n", repo.GitOk("check-attr", "filter", "--", "models/a.safetensors"));
    }

    [Fact]
    public void Track_refuses_a_path_bound_to_another_filter_and_changes_nothing()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.Write(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n"u8.ToArray());
        var result = repo.Theta("track", "model.bin");
        Assert.Equal(6, result.ExitCode); // Conflict, docs/commands.md#track
        Assert.StartsWith("git-theta: error GT2009: ", result.Error);
        Assert.Contains("filter=lfs", result.Error);
        Assert.Equal("*.bin filter=lfs diff=lfs merge=lfs -text\n", File.ReadAllText(repo.Path(".gitattributes")));
    }

    [Fact]
    public void The_last_matching_line_wins_and_untrack_removes_only_theta_attributes()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.ThetaOk("track", "*.safetensors");
        Assert.Equal("model.safetensors: filter: theta\n", repo.GitOk("check-attr", "filter", "--", "model.safetensors"));
        repo.ThetaOk("untrack", "model.safetensors");
        Assert.Equal("model.safetensors: filter: unspecified\n", repo.GitOk("check-attr", "filter", "--", "model.safetensors"));
        Assert.Equal("other.safetensors: filter: theta\n", repo.GitOk("check-attr", "filter", "--", "other.safetensors"));

        repo.ThetaOk("untrack", "*.safetensors");
        Assert.DoesNotContain("theta", File.ReadAllText(repo.Path(".gitattributes")).Replace("!filter !diff !merge", string.Empty));
    }

    [Fact]
    public void Track_with_a_format_writes_the_theta_format_attribute_and_ls_files_lists_tracked_checkpoints()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.ThetaOk("track", "a.safetensors", "--format", "safetensors");
        Assert.Contains("a.safetensors filter=theta diff=theta merge=theta theta-format=safetensors", File.ReadAllText(repo.Path(".gitattributes")));
        repo.Write("a.safetensors", Checkpoint.Random(2).ToBytes());
        repo.Write("b.txt", "plain"u8.ToArray());
        repo.GitOk("add", ".");
        Assert.Equal("a.safetensors\n", repo.ThetaOk("ls-files"));

        var unknown = repo.Theta("track", "c.safetensors", "--format", "nope");
        Assert.Equal(4, unknown.ExitCode); // InvalidInput
        Assert.StartsWith("git-theta: error GT2005: ", unknown.Error);
        Assert.DoesNotContain("c.safetensors", File.ReadAllText(repo.Path(".gitattributes")));
    }

    [Fact]
    public void A_theta_attribute_set_in_a_folder_or_in_info_attributes_reaches_the_clean()
    {
        // The clean asks git for attributes only where some attribute file mentions a theta attribute: the files it
        // reads to decide that must be the ones git reads.
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.ThetaOk("track", "*.safetensors");
        var bytes = Checkpoint.Random(2).ToBytes();
        foreach (var path in new[] { "a.safetensors", "models/b.safetensors", "models/c.safetensors", "d.safetensors" })
        {
            repo.Write(path, bytes);
        }

        repo.Write("models/.gitattributes", "b.safetensors theta-format=onnx\n"u8.ToArray());
        repo.Write(".git/info/attributes", "d.safetensors theta-format=onnx\n"u8.ToArray());

        repo.GitOk("add", "a.safetensors", "models/c.safetensors");
        foreach (var path in new[] { "models/b.safetensors", "d.safetensors" })
        {
            var refused = repo.Git("add", path);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains($"{path}: invalid ONNX model", refused.Error);
        }

        Assert.Equal("a.safetensors\nmodels/c.safetensors\n", repo.GitOk("diff", "--cached", "--name-only"));
    }

    public void Dispose() => sandbox.Dispose();
}
