using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// The store's layout (theta/objects/oid, no folders) and the two-level one earlier versions wrote (aa/bb/oid): a
/// repository whose objects are all in the old layout checks out, verifies, commits and collects garbage as before,
/// and new objects go to the new layout.
/// </summary>
public sealed class StoreLayoutTests : IDisposable
{
    private const string Model = "model.safetensors";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void New_objects_are_written_right_in_the_objects_folder_without_making_folders()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Checkpoint.Random(3).ToBytes());
        repo.GitOk("add", Model);

        var files = Directory.EnumerateFiles(repo.ThetaObjects(), "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f =>
        {
            var name = Path.GetFileName(f);
            Assert.Equal(Path.Combine(repo.ThetaObjects(), name), f);
        });
        Assert.Empty(Directory.GetDirectories(repo.ThetaObjects()));
    }

    [Fact]
    public void A_store_in_the_two_level_layout_of_earlier_versions_keeps_working()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = Checkpoint.Random(4).ToBytes();
        var v2 = Checkpoint.Random(4).Add(1, 1e-2f).ToBytes();
        repo.Write(Model, v1);
        repo.GitOk("add", Model);
        repo.GitOk("commit", "-q", "-m", "v1");
        var v1Objects = repo.StoredObjects();

        // As an earlier git-theta left it: every object in aa/bb/oid.
        foreach (var oid in v1Objects)
        {
            var legacy = Path.Combine(repo.ThetaObjects(), oid[..2], oid[2..4], oid);
            Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
            File.Move(repo.ObjectFile(oid), legacy);
        }

        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(v1, repo.Read(Model));
        repo.ThetaOk("verify");

        // A new version stores only its changed group, in the new layout, next to the old objects.
        repo.Write(Model, v2);
        repo.GitOk("add", Model);
        repo.GitOk("commit", "-q", "-m", "v2");
        var added = repo.StoredObjects().Except(v1Objects).ToList();
        Assert.Single(added);
        Assert.True(File.Exists(repo.ObjectFile(added[0])));

        // gc keeps every referenced object, in either layout, and both versions still check out.
        repo.ThetaOk("gc", "--prune=now");
        Assert.Equal(v1Objects.Concat(added).Order(), repo.StoredObjects().Order());
        repo.GitOk("checkout", "-q", "HEAD~1", "--", Model);
        Assert.Equal(v1, repo.Read(Model));
        repo.GitOk("checkout", "-q", "HEAD", "--", Model);
        Assert.Equal(v2, repo.Read(Model));
    }
}
