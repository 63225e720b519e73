using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>Behaviours a user relies on around the edges: hooks in clones, config from git -c, argument handling, verify.</summary>
public sealed class ReviewFixesTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void A_clone_made_with_a_global_install_gets_the_pre_push_hook_and_pushes_its_objects()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "m.safetensors");
        var remote = sandbox.InitBare();
        repo.Write("m.safetensors", Checkpoint.Random(3).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");

        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "clone").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        Assert.Contains("installed by git-theta", File.ReadAllText(clone.Path(".git/hooks/pre-push")));

        clone.Write("m.safetensors", Checkpoint.Random(3).Add(1, 1e-3f).ToBytes());
        clone.GitOk("add", ".");
        clone.Commit("v2");
        var before = Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), "*", SearchOption.AllDirectories).Count();
        clone.GitOk("push", "-q", "origin", "main");
        Assert.Equal(before + 1, Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void Settings_given_with_git_dash_c_reach_the_filter()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "m.safetensors");
        var storage = sandbox.Path("elsewhere");
        repo.Write("m.safetensors", Checkpoint.Random(2).ToBytes());
        repo.GitOk("-c", $"lfs.storage={storage}", "add", ".");
        Assert.Empty(repo.StoredObjects());
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(storage, "theta", "objects"), "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void Add_accepts_git_add_options_before_the_file()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "m.safetensors");
        repo.Write("m.safetensors", Checkpoint.Random(2).ToBytes());
        var output = repo.ThetaOk("add", "-v", "m.safetensors");
        Assert.Contains("add 'm.safetensors'", output);
        Assert.Contains("m.safetensors", repo.GitOk("diff", "--cached", "--name-only"));
    }

    [Fact]
    public void A_command_line_error_exits_with_the_usage_code_and_one_line()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        var result = repo.Theta("install", "--scope", "planet");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("git-theta: error GT2010:", result.Error);
    }

    [Fact]
    public void Install_outside_a_repository_says_so_and_writes_nothing()
    {
        var outside = sandbox.Path("not-a-repo");
        Directory.CreateDirectory(outside);
        var result = sandbox.Theta(outside, "install");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("GT2001", result.Error);
        Assert.Equal(1, sandbox.Git(outside, "config", "--global", "--get", "filter.theta.process").ExitCode);
    }

    [Fact]
    public void Verify_reports_intact_missing_and_corrupt_objects()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "m.safetensors");
        repo.Write("m.safetensors", Checkpoint.Random(3).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        Assert.Contains("4 objects checked: 4 intact, 0 missing, 0 corrupt.", repo.ThetaOk("verify"));

        var oids = Directory.EnumerateFiles(repo.ThetaObjects(), "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();
        repo.DeleteObject(oids[0]);
        var corrupt = repo.ObjectFile(oids[1]);
        File.SetAttributes(corrupt, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(corrupt);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(corrupt, bytes);

        var result = repo.Theta("verify");
        Assert.Equal(4, result.ExitCode); // a corrupt object outranks a missing one: docs/commands.md#verify
        Assert.Contains("4 objects checked: 2 intact, 1 missing, 1 corrupt.", result.Output);
        Assert.Contains("git-theta: error GT2008: ", result.Error);
    }

    [Fact]
    public void Install_leaves_an_edited_metadata_file_alone()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "m.safetensors");
        var remote = sandbox.InitBare();
        repo.Write("m.safetensors", Checkpoint.Random(2).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "plain").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("plain"));
        var edited = File.ReadAllText(clone.Path("m.safetensors")).Replace("\"F32\"", "\"F32\" ");
        File.WriteAllText(clone.Path("m.safetensors"), edited);

        Assert.DoesNotContain("Rebuilt", clone.ThetaOk("install"));
        Assert.Equal(edited, File.ReadAllText(clone.Path("m.safetensors")));
    }

    [Fact]
    public void Fetch_gets_every_object_the_remote_has_even_when_one_is_missing_there()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "m.safetensors");
        var remote = sandbox.InitBare();
        repo.Write("m.safetensors", Checkpoint.Random(4).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        var remoteObjects = Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        File.Delete(remoteObjects[0]);

        sandbox.Git(sandbox.Root, "clone", "-q", "--no-checkout", remote.Directory, "partial").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("partial"));
        clone.ThetaOk("install");
        var fetch = clone.Theta("fetch");
        Assert.Equal(5, fetch.ExitCode);
        Assert.Contains("GT2007", fetch.Error);
        Assert.Equal(4, clone.StoredObjects().Count);
    }

    public void Dispose() => sandbox.Dispose();
}
