using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class PathspecTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Diff_with_a_folder_or_glob_pathspec_covers_every_changed_shard()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "*.safetensors");
        repo.Write("models/model-00001-of-00002.safetensors", Checkpoint.Random(2, seed: 1).ToBytes());
        repo.Write("models/model-00002-of-00002.safetensors", Checkpoint.Random(2, seed: 2).ToBytes());
        repo.Write("models/config.json", "{\"hidden_size\": 16}\n"u8.ToArray());
        repo.Write("models/model.safetensors.index.json", """
            {"metadata": {"total_size": 8192}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00001-of-00002.safetensors", "c.weight": "model-00002-of-00002.safetensors"}}
            """u8.ToArray());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.Write("models/model-00001-of-00002.safetensors", Checkpoint.Random(2, seed: 1).Add(0, 1e-2f).ToBytes());
        repo.Write("models/model-00002-of-00002.safetensors", Checkpoint.Random(2, seed: 2).Add(1, 1e-2f).ToBytes());
        repo.Write("models/config.json", "{\"hidden_size\": 32}\n"u8.ToArray());
        repo.GitOk("add", ".");
        repo.Commit("v2");

        // A folder that holds a shard index is that model, diffed as one (ShardedModelTests); "." and a glob are per file.
        foreach (var pathspec in new[] { ".", "*.safetensors" })
        {
            var diff = repo.ThetaOk("diff", "HEAD~1", "HEAD", "--", pathspec);
            Assert.Contains("diff --git-theta a/models/model-00001-of-00002.safetensors", diff);
            Assert.Contains("diff --git-theta a/models/model-00002-of-00002.safetensors", diff);
            Assert.Equal(2, diff.Split('\n').Count(l => l.StartsWith("modified", StringComparison.Ordinal)));
            Assert.DoesNotContain("config.json", diff);
            Assert.DoesNotContain("no parameter group changed", diff);
        }

        // show of the shard index summarises the whole model across its shards.
        var show = repo.ThetaOk("show", "HEAD:models/model.safetensors.index.json");
        Assert.Contains("a sharded checkpoint of 2 shards", show);
        Assert.Matches(@"groups:\s+4\n", show);
        Assert.Contains("models/model-00002-of-00002.safetensors", show);

        // Against the working files (no revision): only the shard that differs.
        repo.Write("models/model-00002-of-00002.safetensors", Checkpoint.Random(2, seed: 2).ToBytes());
        var working = repo.ThetaOk("diff", "--", ".");
        Assert.Contains("diff --git-theta a/models/model-00002-of-00002.safetensors", working);
        Assert.DoesNotContain("model-00001", working);
    }

    public void Dispose() => sandbox.Dispose();
}
