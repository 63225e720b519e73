using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Groups over theta.largeGroupBytes (2 GiB by default) are read and written in chunks and stored dense. With the
/// setting at 1 KiB every 2 KiB group of these checkpoints goes that way, and the repository must end up with the
/// same metadata blobs, the same objects and the same checkouts as one where every group is held whole.
/// </summary>
public sealed class LargeGroupTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Streamed_groups_give_the_same_blobs_objects_and_checkouts_as_whole_ones()
    {
        var whole = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var streamed = sandbox.InitRepository("streamed");
        streamed.ThetaOk("install");
        streamed.ThetaOk("track", "model.safetensors");
        streamed.GitOk("config", "theta.largeGroupBytes", "1k");
        var v1 = Checkpoint.Random(6);
        var v2 = v1.Clone().Add(2, 1e-3f);

        foreach (var repo in new[] { whole, streamed })
        {
            repo.Write("model.safetensors", v1.ToBytes());
            repo.GitOk("add", ".gitattributes", "model.safetensors");
            repo.Commit("v1");
            var first = repo.StoredObjects();
            repo.Write("model.safetensors", v2.ToBytes());
            repo.GitOk("add", "model.safetensors");
            repo.Commit("v2");
            Assert.Single(repo.StoredObjects().Except(first));

            // A few one-ulp changes are no change, decided by the LSH on the streamed chunks too.
            repo.Write("model.safetensors", v2.Clone().NudgeUlp(4, 3).ToBytes());
            repo.GitOk("add", "model.safetensors");
            Assert.Equal(string.Empty, repo.GitOk("diff", "--cached", "--name-only"));
        }

        Assert.Equal(whole.Show("HEAD~1:model.safetensors"), streamed.Show("HEAD~1:model.safetensors"));
        Assert.Equal(whole.Show("HEAD:model.safetensors"), streamed.Show("HEAD:model.safetensors"));
        Assert.Equal(whole.StoredObjects().Select(Path.GetFileName).Order(), streamed.StoredObjects().Select(Path.GetFileName).Order());

        File.Delete(streamed.Path("model.safetensors"));
        streamed.GitOk("checkout", "HEAD~1", "--", "model.safetensors");
        Assert.Equal(v1.ToBytes(), streamed.Read("model.safetensors"));
        streamed.GitOk("checkout", "HEAD", "--", "model.safetensors");
        Assert.Equal(v2.ToBytes(), streamed.Read("model.safetensors"));
    }

    [Fact]
    public void A_streamed_group_is_stored_dense_whatever_update_type_is_asked_for()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.GitOk("config", "theta.largeGroupBytes", "1k");
        var v1 = Checkpoint.Random(4);
        repo.Write("model.safetensors", v1.ToBytes());
        repo.GitOk("add", ".gitattributes", "model.safetensors");
        repo.Commit("v1");

        repo.Write("model.safetensors", v1.Clone().Add(1, 1e-3f).ToBytes());
        var add = repo.Theta("add", "model.safetensors", "--update-type", "sparse").EnsureSuccess("git theta add");
        repo.Commit("v2");

        Assert.Equal("dense", MetadataView.Parse(repo.Show("HEAD:model.safetensors"))["layers.1.weight"].Type);
        Assert.Contains("model.safetensors: stored dense instead of sparse: parameter 'layers.1.weight': groups over 1024 bytes (theta.largeGroupBytes) are read in pieces and stored dense.", add.Error);
    }

    public void Dispose() => sandbox.Dispose();
}
