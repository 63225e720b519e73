using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// A sharded checkpoint as transformers saves it (<c>model-0000N-of-00002.safetensors</c> and
/// <c>model.safetensors.index.json</c>) summarised and diffed as one model (issue 13, item 3).
/// </summary>
public sealed class ShardedModelTests : IDisposable
{
    private const string Index = "models/model.safetensors.index.json";
    private const string Shard1 = "models/model-00001-of-00002.safetensors";
    private const string Shard2 = "models/model-00002-of-00002.safetensors";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Show_of_the_index_or_its_folder_lists_every_group_across_the_shards_with_totals()
    {
        var repo = ModelRepository();

        var show = repo.ThetaOk("show", $"HEAD:{Index}");
        Assert.Contains($"'{Index}' at HEAD (commit ", show);
        Assert.Contains("a sharded checkpoint of 2 shards", show);
        Assert.Matches(@"(?m)^shards:\s+2 \(safetensors\)$", show);
        Assert.Matches(@"(?m)^groups:\s+4$", show);
        Assert.Matches(@"(?m)^parameters:\s+1568 \(6272 bytes, 6\.1 KiB\)$", show);
        Assert.Matches(@"(?m)^objects:\s+6 .*, 0 missing from the local store$", show);
        Assert.Matches(@"(?m)^models/model-00001-of-00002\.safetensors\s+safetensors\s+2\s+1024\s", show);
        Assert.Matches(@"(?m)^models/model-00002-of-00002\.safetensors\s+safetensors\s+2\s+544\s", show);

        // One row per group with the shard the index places it in, sorted by name, then the total row.
        var rows = show.Split('\n').SkipWhile(l => !l.StartsWith("name ", StringComparison.Ordinal)).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(new[] { "embed.weight", "layers.0.weight", "layers.1.weight", "lm_head.bias", "total" }, rows.Select(r => r.Split(' ')[0]));
        Assert.Matches(@"^embed\.weight\s+model-00001-of-00002\.safetensors\s+F32\s+\[32, 16\]\s+512\s", rows[0]);
        Assert.Matches(@"^lm_head\.bias\s+model-00002-of-00002\.safetensors\s+F32\s+\[32\]\s+32\s", rows[3]);
        Assert.Matches(@"^total\s+2 shards\s+1568\s+6\.1 KiB\s+.*\s4 groups$", rows[4]);

        // The folder names the model too, at a revision and in the index; --param finds the group's shard.
        Assert.Equal(show, repo.ThetaOk("show", "HEAD:models"));
        Assert.Contains($"'{Index}' in the index: a sharded checkpoint of 2 shards", repo.ThetaOk("show", "models"));
        var group = repo.ThetaOk("show", $"HEAD:{Index}", "--param", "layers.1.weight");
        Assert.StartsWith($"'{Shard2}' at HEAD (commit ", group);
        Assert.Contains("parameter group 'layers.1.weight'", group);
    }

    [Fact]
    public void Diff_stat_of_the_index_or_its_folder_gives_one_table_for_the_model_and_a_total_line()
    {
        var repo = ModelRepository();
        repo.Write(Shard1, Shard1File().With("layers.0.weight", Shifted(Shard1File()["layers.0.weight"].Values, 1e-3)).ToBytes());
        repo.Write(Shard2, Shard2File().With("layers.1.weight", Shifted(Shard2File()["layers.1.weight"].Values, 1e-3)).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v2");

        var diff = repo.ThetaOk("diff", "--stat", "HEAD~1", "HEAD", "--", Index);
        Assert.Equal(new[] { $"diff --git-theta a/{Index} b/{Index}" }, diff.Split('\n').Where(l => l.StartsWith("diff ", StringComparison.Ordinal)));
        Assert.Contains("sharded checkpoint: 2 shards, 4 groups -> 2 shards, 4 groups", diff);
        Assert.Matches(@"(?m)^modified layers\.0\.weight  F32 \[32, 16\] dense  in model-00001-of-00002\.safetensors$", diff);
        Assert.Matches(@"(?m)^modified layers\.1\.weight  F32 \[32, 16\] dense  in model-00002-of-00002\.safetensors$", diff);
        Assert.Contains("2 of 4 parameter groups differ across 2 shards: 2 modified, 0 added, 0 removed", diff);

        // One table for the whole model: a line per changed group, then the total (‖Δ‖ = 1e-3 · √1024).
        var table = diff.Split('\n').SkipWhile(l => l.Length > 0).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(new[] { "layers.0.weight", "layers.1.weight", "total" }, table.Select(l => l.Split(' ')[0]));
        Assert.Contains("max|Δ| 1.0e-03", table[0]);
        Assert.Contains("changed 512/512", table[1]);
        Assert.Matches(@"^total\s+2 groups: 2 modified, 0 added, 0 removed; changed 1024/1024  ‖Δ‖ 3\.2e-02  rel \d\.\de-02  max\|Δ\| 1\.0e-03$", table[2]);

        // The folder is the same model; the index's own path, relative to the current directory, works too.
        Assert.Equal(diff, repo.ThetaOk("diff", "--stat", "HEAD~1", "HEAD", "--", "models"));
        var inside = sandbox.Theta(repo.Path("models"), "diff", "--stat", "HEAD~1", "HEAD", "--", "model.safetensors.index.json").EnsureSuccess("diff from inside models");
        Assert.Equal(diff, inside.Output);
        Assert.Equal(diff, sandbox.Theta(repo.Path("models"), "diff", "--stat", "HEAD~1", "HEAD", "--", ".").EnsureSuccess("diff -- . inside models").Output);

        // Against the working files (the old side the given revision): each shard file is hashed in memory, nothing stored.
        repo.Write(Shard2, Shard2File().With("layers.1.weight", Shifted(Shard2File()["layers.1.weight"].Values, 1e-3)).With("lm_head.bias", Shifted(Shard2File()["lm_head.bias"].Values, 2e-3)).ToBytes());
        var working = repo.ThetaOk("diff", "--stat", "HEAD", "--", Index);
        Assert.Contains("1 of 4 parameter groups differ across 2 shards: 1 modified, 0 added, 0 removed", working);
        Assert.Matches(@"(?m)^lm_head\.bias\s+max\|Δ\| 2\.0e-03", working);
        Assert.Matches(@"(?m)^total\s+1 group: 1 modified, 0 added, 0 removed; changed 32/32 ", working);
    }

    [Fact]
    public void A_group_moved_to_another_shard_unchanged_is_no_change_of_the_model()
    {
        var repo = ModelRepository();
        var shard1 = Shard1File();
        var shard2 = Shard2File();
        var moved = new TensorFile().Add("embed.weight", "F32", new long[] { 32, 16 }, shard1["embed.weight"].Values);
        var grown = new TensorFile();
        foreach (var tensor in new[] { shard1["layers.0.weight"] }.Concat(shard2.Tensors))
        {
            grown.Add(tensor.Name, tensor.DType, tensor.Shape, tensor.Values);
        }

        repo.Write(Shard1, moved.ToBytes());
        repo.Write(Shard2, grown.ToBytes());
        repo.Write(Index, IndexJson(("embed.weight", 1), ("layers.0.weight", 2), ("layers.1.weight", 2), ("lm_head.bias", 2)));
        repo.GitOk("add", ".");
        repo.Commit("reshard");

        var diff = repo.ThetaOk("diff", "HEAD~1", "HEAD", "--", "models");
        Assert.Contains("no parameter group changed across 2 shards", diff);
        Assert.Contains("1 parameter group(s) moved to another shard unchanged", diff);

        // Per file, both shards changed: that is what git's own view of the folder says.
        var perFile = repo.ThetaOk("diff", "HEAD~1", "HEAD", "--", "*.safetensors");
        Assert.Contains($"diff --git-theta a/{Shard1}", perFile);
        Assert.Contains($"diff --git-theta a/{Shard2}", perFile);
    }

    [Fact]
    public void A_broken_index_is_one_GT2036_line_and_an_index_that_disagrees_with_its_shards_warns_GT2037()
    {
        var repo = ModelRepository();
        repo.Write(Index, "{\"weight_map\": [\"not\", \"a\", \"map\"]}"u8.ToArray());
        repo.GitOk("add", Index);
        repo.Commit("broken index");
        foreach (var arguments in new[] { new[] { "show", $"HEAD:{Index}" }, new[] { "diff", "HEAD~1", "HEAD", "--", Index } })
        {
            var broken = repo.Theta(arguments);
            Assert.Equal(4, broken.ExitCode);
            var line = Assert.Single(broken.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("GT2036", line);
            Assert.Contains($"HEAD:{Index}", line);
            Assert.Contains("weight_map", line);
        }

        repo.Write(Index, IndexJson(("embed.weight", 1), ("layers.0.weight", 1), ("layers.1.weight", 3), ("lm_head.bias", 2)));
        repo.GitOk("add", Index);
        repo.Commit("index names a third shard");
        var missing = repo.Theta("show", $"HEAD:{Index}");
        Assert.Equal(4, missing.ExitCode);
        Assert.Contains("GT2036", missing.Error);
        Assert.Contains("models/model-00003-of-00002.safetensors", missing.Error);

        repo.Write(Index, IndexJson(("embed.weight", 2), ("layers.0.weight", 1), ("layers.1.weight", 2), ("lm_head.bias", 2)));
        repo.GitOk("add", Index);
        repo.Commit("index places embed.weight in the wrong shard");
        var disagreeing = repo.Theta("show", $"HEAD:{Index}").EnsureSuccess("show of an index that disagrees");
        Assert.Matches(@"(?m)^groups:\s+4$", disagreeing.Output);
        var warning = Assert.Single(disagreeing.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("warning: GT2037", warning);
        Assert.Contains("'embed.weight'", warning);
    }

    private static TensorFile Shard1File() => new TensorFile()
        .Add("embed.weight", "F32", new long[] { 32, 16 }, TensorFile.Random(1, 512))
        .Add("layers.0.weight", "F32", new long[] { 32, 16 }, TensorFile.Random(2, 512));

    private static TensorFile Shard2File() => new TensorFile()
        .Add("layers.1.weight", "F32", new long[] { 32, 16 }, TensorFile.Random(3, 512))
        .Add("lm_head.bias", "F32", new long[] { 32 }, TensorFile.Random(4, 32));

    private static double[] Shifted(double[] values, double delta) => values.Select(v => v + delta).ToArray();

    private static byte[] IndexJson(params (string Group, int Shard)[] map) =>
        System.Text.Encoding.UTF8.GetBytes("{\"metadata\": {\"total_size\": 6272}, \"weight_map\": {"
            + string.Join(", ", map.Select(m => $"\"{m.Group}\": \"model-0000{m.Shard}-of-00002.safetensors\""))
            + "}}\n");

    /// <summary>The model as transformers saves it (shards, index, config), tracked by pattern as a Hub repository is, committed once.</summary>
    private GitRepo ModelRepository()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "*.safetensors");
        repo.Write(Shard1, Shard1File().ToBytes());
        repo.Write(Shard2, Shard2File().ToBytes());
        repo.Write(Index, IndexJson(("embed.weight", 1), ("layers.0.weight", 1), ("layers.1.weight", 2), ("lm_head.bias", 2)));
        repo.Write("models/config.json", "{\"hidden_size\": 16}\n"u8.ToArray());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        return repo;
    }
}
