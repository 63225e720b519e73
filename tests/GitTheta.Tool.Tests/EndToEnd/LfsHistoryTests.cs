using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>A repository as it comes from the Hugging Face Hub (weights and tokenizer in git-lfs, config in plain git), switched to git-theta.</summary>
public sealed class LfsHistoryTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void After_track_from_lfs_every_reader_reads_the_lfs_versions_as_checkpoints()
    {
        var repo = HubLikeRepository(sandbox, out var v1, out var v2);

        var refused = repo.Theta("track", "*.safetensors");
        Assert.StartsWith("git-theta: error GT2009: ", refused.Error);
        Assert.Contains("--from-lfs", refused.Error);

        var switched = repo.ThetaOk("track", "--from-lfs", "*.safetensors");
        Assert.Contains("git add --renormalize *.safetensors", switched);
        var attributes = File.ReadAllText(repo.Path(".gitattributes"));
        Assert.Contains("*.safetensors -text filter=theta diff=theta merge=theta\n", attributes);
        Assert.DoesNotContain("*.safetensors filter=lfs", attributes);
        Assert.Contains("tokenizer.json filter=lfs diff=lfs merge=lfs -text\n", attributes);

        repo.GitOk("add", "--renormalize", ".");
        repo.GitOk("add", ".gitattributes");
        repo.Commit("switch to git-theta");
        Assert.StartsWith("{", repo.GitOk("cat-file", "blob", "HEAD:model.safetensors"));
        var v3 = v2.Clone().Add(2, 1e-2f);
        repo.Write("model.safetensors", v3.ToBytes());
        repo.GitOk("add", "model.safetensors");
        repo.Commit("v3");

        // materialize: the old lfs revisions, byte for byte.
        repo.ThetaOk("materialize", "model.safetensors", "--rev", "HEAD~3", "-o", sandbox.Path("v1.safetensors"));
        Assert.Equal(v1.ToBytes(), File.ReadAllBytes(sandbox.Path("v1.safetensors")));

        // diff between two lfs versions, and between an lfs version and a theta one: only the groups that changed.
        Assert.Contains("1 of 4 parameter groups differ: 1 modified, 0 added, 0 removed", repo.ThetaOk("diff", "HEAD~3", "HEAD~2", "--", "model.safetensors"));
        var across = repo.ThetaOk("diff", "--stat", "HEAD~2", "HEAD", "--", "model.safetensors");
        Assert.Contains("1 of 4 parameter groups differ: 1 modified, 0 added, 0 removed", across);
        Assert.Contains("layers.2.weight", across);
        Assert.Contains("1 of 4 parameter groups differ", repo.GitOk("diff", "HEAD~2", "HEAD", "--", "model.safetensors"));

        // show and log read the lfs versions too; the switch commit changes no group.
        Assert.Contains("layers.1.weight", repo.ThetaOk("show", "HEAD~3:model.safetensors"));
        var log = repo.ThetaOk("log", "model.safetensors");
        Assert.Contains("v1", log);
        Assert.Contains("v2", log);

        // A non-checkpoint lfs file is left alone by the readers: no metadata for the tokenizer.
        Assert.StartsWith("git-theta: error GT2021: ", repo.Theta("show", "HEAD:tokenizer.json").Error);
    }

    [Fact]
    public void An_lfs_version_whose_object_is_gone_fails_with_GT2028()
    {
        var repo = HubLikeRepository(sandbox, out _, out _);
        repo.ThetaOk("track", "--from-lfs", "*.safetensors");
        repo.GitOk("add", "--renormalize", ".");
        repo.GitOk("add", ".gitattributes");
        repo.Commit("switch to git-theta");
        Directory.Delete(repo.LfsObjects, recursive: true);

        var result = repo.Theta("materialize", "model.safetensors", "--rev", "HEAD~2", "-o", sandbox.Path("v1.safetensors"));
        Assert.StartsWith("git-theta: error GT2028: ", result.Error);
        Assert.Contains("git lfs fetch", result.Error);
        Assert.False(File.Exists(sandbox.Path("v1.safetensors")));
    }

    public void Dispose() => sandbox.Dispose();

    /// <summary>lfs-tracked model.safetensors and tokenizer.json, plain config.json, two commits (v2 changes one group).</summary>
    internal static GitRepo HubLikeRepository(Sandbox sandbox, out Checkpoint v1, out Checkpoint v2)
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.GitOk("lfs", "install", "--local", "--skip-repo");
        repo.GitOk("lfs", "track", "*.safetensors", "tokenizer.json");
        v1 = Checkpoint.Random(4);
        repo.Write("model.safetensors", v1.ToBytes());
        repo.Write("tokenizer.json", "{\"model\": {\"vocab\": {\"a\": 0}}}\n"u8.ToArray());
        repo.Write("config.json", "{\"hidden_size\": 16}\n"u8.ToArray());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        v2 = v1.Clone().Add(1, 1e-2f);
        repo.Write("model.safetensors", v2.ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v2");
        Assert.StartsWith("version https://git-lfs.github.com/spec/v1", repo.GitOk("cat-file", "blob", "HEAD:model.safetensors"));
        return repo;
    }
}
