using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class CommitAndCheckoutTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Changing_two_groups_stores_exactly_two_new_objects_and_both_versions_check_out_byte_identical()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var v1 = Checkpoint.Random(12).ToBytes();
        var v2 = Checkpoint.Random(12).Add(3, 1e-3f).Add(7, 1e-3f).ToBytes();

        repo.Write("model.safetensors", v1);
        repo.GitOk("add", ".gitattributes", "model.safetensors");
        var first = repo.Commit("v1");
        var afterFirst = repo.StoredObjects();
        Assert.Equal(12 + 1, afterFirst.Count);

        repo.Write("model.safetensors", v2);
        repo.GitOk("add", "model.safetensors");
        var second = repo.Commit("v2");
        var added = repo.StoredObjects().Except(afterFirst).ToList();
        Assert.Equal(2, added.Count);

        File.Delete(repo.Path("model.safetensors"));
        repo.GitOk("checkout", first, "--", "model.safetensors");
        Assert.Equal(v1, repo.Read("model.safetensors"));

        repo.GitOk("checkout", second, "--", "model.safetensors");
        Assert.Equal(v2, repo.Read("model.safetensors"));

        repo.GitOk("checkout", "-q", first);
        Assert.Equal(v1, repo.Read("model.safetensors"));
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void A_few_one_ulp_changes_are_not_a_change_but_a_change_of_1e_3_is()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var original = Checkpoint.Random(6, scale: 1e-3f);
        repo.Write("model.safetensors", original.ToBytes());
        repo.GitOk("add", ".gitattributes", "model.safetensors");
        repo.Commit("v1");
        var metadataV1 = repo.Show("HEAD:model.safetensors");
        var objects = repo.StoredObjects();

        repo.Write("model.safetensors", original.Clone().NudgeUlp(2, 5).ToBytes());
        repo.GitOk("add", "model.safetensors");
        Assert.Equal(string.Empty, repo.GitOk("diff", "--cached", "--name-only"));
        Assert.Equal(objects, repo.StoredObjects());

        repo.Write("model.safetensors", original.Clone().Add(2, 1e-3f).ToBytes());
        repo.GitOk("add", "model.safetensors");
        Assert.Equal("model.safetensors\n", repo.GitOk("diff", "--cached", "--name-only"));
        Assert.Single(repo.StoredObjects().Except(objects));
        repo.Commit("v2");
        Assert.NotEqual(metadataV1, repo.Show("HEAD:model.safetensors"));
    }

    [Fact]
    public void The_same_checkpoint_always_cleans_to_the_same_metadata_blob()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "a.safetensors", "b.safetensors");
        var bytes = Checkpoint.Random(5).ToBytes();
        repo.Write("a.safetensors", bytes);
        repo.Write("b.safetensors", bytes);
        repo.GitOk("add", ".");
        var blobs = repo.GitOk("ls-files", "-s", "a.safetensors", "b.safetensors").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(2, blobs.Count);
        Assert.Equal(blobs[0], blobs[1]);
        Assert.Contains("\"format\": \"git-theta/1\"", repo.GitOk("cat-file", "-p", blobs[0]));
    }

    public void Dispose() => sandbox.Dispose();
}
