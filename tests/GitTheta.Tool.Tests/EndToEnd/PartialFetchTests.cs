using System.Text;
using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Partial and lazy fetch (issue 13, item 5) against a real HTTP LFS remote: lfs.fetchinclude / lfs.fetchexclude leave
/// the checkpoints they skip as theta metadata (as git-lfs leaves pointers), <c>git theta fetch --include</c> and a
/// checkout bring their bytes, and <c>git theta materialize --params</c> downloads only the named groups' objects.
/// </summary>
public sealed partial class PartialFetchTests : IDisposable
{
    private const string Weights = "models/weights.safetensors";
    private const string Small = "small.safetensors";

    private readonly Sandbox sandbox = new();
    private readonly LfsTestServer server;
    private readonly byte[] weights = new TensorFile()
        .Add("a.weight", "F32", new long[] { 32, 16 }, TensorFile.Random(1, 512))
        .Add("b.weight", "F32", new long[] { 32, 16 }, TensorFile.Random(2, 512))
        .Add("c.bias", "F32", new long[] { 16 }, TensorFile.Random(3, 16))
        .ToBytes();

    private readonly byte[] small = Checkpoint.Random(1, seed: 7).ToBytes();

    public PartialFetchTests()
    {
        server = LfsTestServer.Start(sandbox);
    }

    public void Dispose()
    {
        server.Dispose();
        sandbox.Dispose();
    }

    [Fact]
    public void A_clone_excluding_the_weights_keeps_their_metadata_and_fetch_include_then_checkout_brings_the_bytes()
    {
        var (origin, url) = Publish("excluded");
        var clone = Clone(url, "clone", "lfs.fetchexclude=models/**");

        // As git-lfs leaves a pointer: the working file is the metadata git stores, and git sees nothing to commit.
        Assert.Equal(origin.Show($"HEAD:{Weights}"), Encoding.UTF8.GetString(clone.Read(Weights)));
        Assert.Equal(small, clone.Read(Small));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));
        Assert.Equal(ObjectsOf(origin, Small), Objects(clone));

        var fetch = clone.ThetaOk("fetch", "--include", Weights);
        Assert.Contains("4 objects needed, 4 fetched", fetch);
        clone.GitOk("checkout", "--", Weights);
        Assert.Equal(weights, clone.Read(Weights));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));
        Assert.Equal(ObjectsOf(origin, Small).Union(ObjectsOf(origin, Weights)).ToHashSet(), Objects(clone));

        // A later commit upstream: a pull of an excluded checkpoint whose new objects are not here leaves metadata again.
        var changed = TensorFile.Read(weights).With("b.weight", TensorFile.Random(9, 512)).ToBytes();
        origin.Write(Weights, changed);
        origin.GitOk("add", Weights);
        origin.Commit("v2");
        origin.GitOk("push", "-q", "origin", "main");
        clone.GitOk("pull", "-q");
        Assert.Equal(origin.Show($"HEAD:{Weights}"), Encoding.UTF8.GetString(clone.Read(Weights)));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));
        clone.ThetaOk("fetch", "--include", "models");
        clone.GitOk("checkout", "--", Weights);
        Assert.Equal(changed, clone.Read(Weights));
    }

    [Fact]
    public void A_clone_including_only_some_checkpoints_fetches_them_and_fetch_include_overrides_the_configured_include()
    {
        var (origin, url) = Publish("included");

        // git-lfs filters the path each download is asked under; git-theta's fetches must not be vetoed by it.
        var clone = Clone(url, "clone", $"lfs.fetchinclude={Small}");
        Assert.Equal(small, clone.Read(Small));
        Assert.Equal(origin.Show($"HEAD:{Weights}"), Encoding.UTF8.GetString(clone.Read(Weights)));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));
        Assert.Equal(ObjectsOf(origin, Small), Objects(clone));

        clone.ThetaOk("fetch", "--include", "*.safetensors");
        clone.GitOk("checkout", "--", Weights);
        Assert.Equal(weights, clone.Read(Weights));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void Materialize_params_fetches_only_the_objects_of_the_named_groups()
    {
        var (origin, url) = Publish("lazy");
        var clone = Clone(url, "clone", "lfs.fetchexclude=*.safetensors");
        Assert.Empty(Objects(clone));

        var output = clone.Path("subset.safetensors");
        var written = clone.ThetaOk("materialize", Weights, "--params", "a.*,c.*", "-o", output);
        Assert.Contains("Wrote 2 parameter group(s)", written);
        var expected = new[] { "a.weight", "c.bias" }.Select(name => GroupObject(origin, Weights, name)).ToHashSet();
        Assert.Equal(expected, Objects(clone));

        var subset = TensorFile.Read(File.ReadAllBytes(output));
        var original = TensorFile.Read(weights);
        Assert.Equal(new[] { "a.weight", "c.bias" }, subset.Tensors.Select(t => t.Name).Order());
        foreach (var tensor in subset.Tensors)
        {
            Assert.Equal(original[tensor.Name].Values, tensor.Values);
            Assert.Equal(original[tensor.Name].Shape, tensor.Shape);
        }

        // The working tree was not touched, and a group that matches nothing is one clear error, fetching nothing.
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain", "--untracked-files=no"));
        var none = clone.Theta("materialize", Weights, "--params", "decoder.*", "-o", clone.Path("none.safetensors"));
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("GT2020", none.Error);
        Assert.Equal(expected, Objects(clone));
        Assert.False(File.Exists(clone.Path("none.safetensors")));
    }

    /// <summary>A repository with two tracked checkpoints and a plain config, pushed to a new repository on the server.</summary>
    private (GitRepo Origin, string Url) Publish(string name)
    {
        var origin = ThetaRepoFactory.Create(sandbox, "*.safetensors");
        origin.Write(Weights, weights);
        origin.Write(Small, small);
        origin.Write("config.json", "{\"hidden_size\": 16}\n"u8.ToArray());
        origin.GitOk("add", ".");
        origin.Commit("v1");
        var url = server.CreateRepository(sandbox, name);
        origin.GitOk("remote", "add", "origin", url);
        origin.GitOk("push", "-q", "-u", "origin", "main");
        return (origin, url);
    }

    /// <summary>A clone through the filter (installed globally, as a user has it), with the clone's own config set.</summary>
    private GitRepo Clone(string url, string name, string config)
    {
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", "-c", config, url, name).EnsureSuccess("clone");
        return new GitRepo(sandbox, sandbox.Path(name));
    }

    /// <summary>The objects in the clone's stores (git-theta's and git-lfs's), by oid.</summary>
    private static HashSet<string> Objects(GitRepo repo) =>
        new[] { repo.ThetaObjects(), repo.LfsObjects }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Select(f => Path.GetFileName(f)!)
            .Where(n => OidPattern().IsMatch(n))
            .ToHashSet();

    /// <summary>Every oid the committed metadata of a checkpoint names (container and groups).</summary>
    private static HashSet<string> ObjectsOf(GitRepo repo, string path) =>
        OidPattern().Matches(repo.Show($"HEAD:{path}")).Select(m => m.Value).ToHashSet();

    private static string GroupObject(GitRepo repo, string path, string group)
    {
        using var metadata = System.Text.Json.JsonDocument.Parse(repo.Show($"HEAD:{path}"));
        return metadata.RootElement.GetProperty("parameters").GetProperty(group).GetProperty("object").GetProperty("oid").GetString()!;
    }

    [GeneratedRegex("^[0-9a-f]{64}$|(?<=\")[0-9a-f]{64}(?=\")")]
    private static partial Regex OidPattern();
}
