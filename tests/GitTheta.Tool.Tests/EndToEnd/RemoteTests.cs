using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class RemoteTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Push_to_a_bare_remote_then_clone_rebuilds_the_checkpoint_byte_identical()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "models/model.safetensors");
        var remote = sandbox.InitBare();
        var v1 = Checkpoint.Random(8).ToBytes();
        var v2 = Checkpoint.Random(8).Add(1, 1e-3f).ToBytes();
        repo.Write("models/model.safetensors", v1);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.Write("models/model.safetensors", v2);
        repo.GitOk("add", ".");
        repo.Commit("v2");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        var push = repo.Git("push", "-u", "origin", "main").EnsureSuccess("push");
        Assert.Contains("uploaded", push.Error);
        Assert.Equal(repo.StoredObjects(), Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)!).ToHashSet());

        // With the drivers in the global config, a clone smudges through git-theta, fetching every object via git-lfs.
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "with-filter").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("with-filter"));
        Assert.Equal(v2, clone.Read("models/model.safetensors"));
        clone.GitOk("checkout", "-q", "HEAD~1");
        Assert.Equal(v1, clone.Read("models/model.safetensors"));
    }

    [Fact]
    public void A_clone_without_the_filter_shows_metadata_and_install_restores_the_checkpoint()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var remote = sandbox.InitBare();
        var bytes = Checkpoint.Random(4).ToBytes();
        repo.Write("model.safetensors", bytes);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");

        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "plain").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("plain"));
        Assert.StartsWith("{", System.Text.Encoding.UTF8.GetString(clone.Read("model.safetensors")));
        Assert.Empty(clone.StoredObjects());

        var install = clone.ThetaOk("install");
        Assert.Contains("Rebuilt 1 checkpoint", install);
        Assert.Equal(bytes, clone.Read("model.safetensors"));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));

        // A later checkout keeps working through the filter.
        File.Delete(clone.Path("model.safetensors"));
        clone.GitOk("checkout", "--", "model.safetensors");
        Assert.Equal(bytes, clone.Read("model.safetensors"));
    }

    [Fact]
    public void Fetch_downloads_the_objects_of_a_revision_so_checkout_works_offline()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var remote = sandbox.InitBare();
        var bytes = Checkpoint.Random(3).ToBytes();
        repo.Write("model.safetensors", bytes);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");

        sandbox.Git(sandbox.Root, "clone", "-q", "--no-checkout", remote.Directory, "offline").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("offline"));
        clone.ThetaOk("install");
        var fetch = clone.ThetaOk("fetch", "HEAD");
        Assert.Contains("4 fetched", fetch);
        Assert.Equal(4, clone.StoredObjects().Count);

        // Objects are local now: the checkout must not need the remote.
        Directory.Move(remote.Directory, remote.Directory + ".gone");
        clone.GitOk("checkout", "-q", "main");
        Assert.Equal(bytes, clone.Read("model.safetensors"));
    }

    [Fact]
    public void A_clone_whose_remote_lacks_one_object_writes_the_other_checkpoint_and_names_the_missing_group()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "a.safetensors", "b.safetensors");
        var remote = sandbox.InitBare();
        var a = Checkpoint.Random(3).ToBytes();
        var b = Checkpoint.Random(3, seed: 7).ToBytes();
        repo.Write("a.safetensors", a);
        repo.Write("b.safetensors", b);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        var lost = MetadataView.Parse(repo.Show("HEAD:b.safetensors"))["layers.1.weight"].Oid;
        var onRemote = Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), lost, SearchOption.AllDirectories).Single();
        File.Delete(onRemote);

        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        var clone = sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "partial");

        Assert.NotEqual(0, clone.ExitCode);
        var checkout = new GitRepo(sandbox, sandbox.Path("partial"));
        Assert.Equal(a, checkout.Read("a.safetensors"));
        var line = clone.Error.Split('\n').Single(l => l.Contains("GT2007"));
        Assert.Contains("b.safetensors", line);
        Assert.Contains("layers.1.weight", line);
        Assert.Contains(lost, line);
        Assert.DoesNotContain("   at ", clone.Error);

        // One line, with git-lfs's cause; asked for once: the file that needs it does not start git-lfs again for it.
        var fetchLine = Assert.Single(clone.Error.Split('\n'), l => l.Contains("could not fetch"));
        Assert.Contains("could not fetch 1 of ", fetchLine);
        Assert.Contains($"object(s) (first: {lost}): ", fetchLine);
        Assert.Contains("remote missing object", fetchLine);

        // Every other object of both checkpoints came and was adopted; the lost one is in neither store.
        var expected = repo.StoredObjects();
        expected.Remove(lost);
        Assert.Equal(expected, checkout.StoredObjects());
        Assert.Empty(Directory.EnumerateFiles(checkout.Path(".git/lfs/objects"), lost, SearchOption.AllDirectories));
    }

    [Fact]
    public void A_missing_object_on_checkout_names_the_group_the_oid_and_the_fetch_command()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.Write("model.safetensors", Checkpoint.Random(3).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        var metadata = repo.Show("HEAD:model.safetensors");
        var oid = System.Text.RegularExpressions.Regex.Match(metadata, "\"layers.1.weight\": \\{\\s*\"object\": \\{\\s*\"oid\": \"([0-9a-f]{64})\"").Groups[1].Value;
        Assert.Equal(64, oid.Length);
        repo.DeleteObject(oid);

        File.Delete(repo.Path("model.safetensors"));
        var checkout = repo.Git("checkout", "--", "model.safetensors");
        Assert.NotEqual(0, checkout.ExitCode);
        var line = checkout.Error.Split('\n').Single(l => l.Contains("GT2007"));
        Assert.Contains("layers.1.weight", line);
        Assert.Contains(oid, line);
        Assert.Contains("git theta fetch", line);
        Assert.DoesNotContain("   at ", checkout.Error);
    }

    public void Dispose() => sandbox.Dispose();
}
