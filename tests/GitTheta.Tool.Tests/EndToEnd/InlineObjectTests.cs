using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// git-theta's defaults with real git and git-lfs: objects up to 4 KiB travel inside the metadata (format git-theta/2),
/// so only larger ones reach the store, the LFS remote and gc, and every checkout still rebuilds the exact bytes.
/// </summary>
public sealed class InlineObjectTests : IDisposable
{
    private const string File = "models/model.safetensors";
    private readonly Sandbox sandbox = new(inlineObjects: true);

    public void Dispose() => sandbox.Dispose();

    /// <summary>A 16 KiB weight (stored) and a 256-byte bias (inline); the container is small enough to be inline too.</summary>
    private static Checkpoint Adapter(int seed) => Checkpoint.Random(1, rows: 64, columns: 64, seed: seed).AddGroup("layers.0.bias", 1, 64, seed + 1000);

    [Fact]
    public void Only_objects_over_4_KiB_reach_the_store_and_the_remote_and_a_clone_rebuilds_every_version()
    {
        var repo = ThetaRepoFactory.Create(sandbox, File);
        var remote = sandbox.InitBare();
        var v1 = Adapter(1).ToBytes();
        repo.Write(File, v1);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        var metadata = repo.Show($"HEAD:{File}");
        Assert.Contains("\"format\": \"git-theta/2\"", metadata);
        Assert.Equal(2, metadata.Split("\"inline\": ").Length - 1);
        var stored = repo.StoredObjects();
        Assert.Single(stored);

        // Only the bias changes: nothing new in the store.
        var changed = Checkpoint.Random(1, rows: 64, columns: 64, seed: 1).AddGroup("layers.0.bias", 1, 64, 7).ToBytes();
        repo.Write(File, changed);
        repo.GitOk("add", ".");
        repo.Commit("v2");
        Assert.Equal(stored, repo.StoredObjects());
        Assert.Contains("layers.0.bias", repo.GitOk("diff", "HEAD~1", "HEAD", "--", File));

        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.Git("push", "-u", "origin", "main").EnsureSuccess("push");
        Assert.Equal(stored, Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)!).ToHashSet());

        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "clone").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        Assert.Equal(changed, clone.Read(File));
        clone.GitOk("checkout", "-q", "HEAD~1");
        Assert.Equal(v1, clone.Read(File));
        Assert.Contains("1 objects checked: 1 intact, 0 missing, 0 corrupt", clone.ThetaOk("verify", "main", "main~1"));
        clone.ThetaOk("gc", "--prune=now");
        clone.GitOk("checkout", "-q", "main");
        Assert.Equal(changed, clone.Read(File));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void Many_small_checkpoints_store_one_object_each_and_check_out_byte_identical()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "adapters/*.safetensors");
        var files = Enumerable.Range(0, 20).ToDictionary(i => $"adapters/adapter_{i:D2}.safetensors", i => Adapter(i + 1).ToBytes());
        foreach (var (path, bytes) in files)
        {
            repo.Write(path, bytes);
        }

        repo.GitOk("add", ".");
        repo.Commit("adapters");
        Directory.Delete(repo.Path("adapters"), recursive: true);
        repo.GitOk("checkout", "--", "adapters");

        Assert.Equal(files.Count, repo.StoredObjects().Count);
        Assert.All(files, f => Assert.Equal(f.Value, repo.Read(f.Key)));
    }

    [Fact]
    public void A_checkpoint_staged_with_every_object_stored_stays_unmodified_under_the_defaults()
    {
        // What an upgrade from a version without inline objects meets: HEAD's metadata names small objects in the store.
        var repo = ThetaRepoFactory.Create(sandbox, File);
        var bytes = Adapter(3).ToBytes();
        repo.Write(File, bytes);
        sandbox.Environment["GIT_THETA_INLINE_OBJECT_BYTES"] = "0";
        repo.GitOk("add", ".");
        repo.Commit("staged by an earlier version");
        sandbox.Environment.Remove("GIT_THETA_INLINE_OBJECT_BYTES");
        var before = repo.Show($"HEAD:{File}");
        Assert.Contains("\"format\": \"git-theta/1\"", before);

        System.IO.File.SetLastWriteTimeUtc(repo.Path(File), DateTime.UtcNow.AddMinutes(1));
        repo.GitOk("add", File);

        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        Assert.Equal(before, repo.Show($":{File}"));
    }

    [Fact]
    public void A_limit_in_the_global_git_config_reaches_the_filter_and_0_stores_every_object()
    {
        // The native build read no global config through libgit2; settings now come from git itself.
        var repo = ThetaRepoFactory.Create(sandbox, File);
        sandbox.Git(sandbox.Root, "config", "--global", "theta.inlineObjectBytes", "0").EnsureSuccess("git config --global");
        repo.Write(File, Adapter(5).ToBytes());

        repo.GitOk("add", ".");

        Assert.Equal(3, repo.StoredObjects().Count);
        Assert.Contains("\"format\": \"git-theta/1\"", repo.Show($":{File}"));
        Assert.Contains("theta.inlineObjectBytes=0 (git config)", repo.ThetaOk("env"));
    }
}
