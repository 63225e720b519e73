using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class InstallTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Install_writes_every_driver_and_uninstall_removes_them()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        var config = repo.GitOk("config", "--local", "--get-regexp", "^(filter|diff|merge)\\.theta\\.");
        Assert.Contains("filter.theta.process git-theta filter-process", config);
        Assert.Contains("filter.theta.clean git-theta clean %f", config);
        Assert.Contains("filter.theta.smudge git-theta smudge %f", config);
        Assert.Contains("filter.theta.required true", config);
        Assert.Contains("diff.theta.command git-theta diff", config);
        Assert.Contains("merge.theta.driver git-theta merge %O %A %B %P", config);

        repo.ThetaOk("uninstall");
        Assert.Equal(1, repo.Git("config", "--local", "--get-regexp", "^(filter|diff|merge)\\.theta\\.").ExitCode);
        Assert.False(File.Exists(repo.Path(".git/hooks/pre-push")));
    }

    [Fact]
    public void Install_through_dotnet_writes_a_command_that_works_from_anywhere()
    {
        Sandbox.RequireGitLfs();
        var repo = sandbox.InitRepository();
        var dll = Path.Combine(Sandbox.ManagedToolDirectory, "git-theta.dll");
        sandbox.Run("dotnet", new[] { dll, "install" }, repo.Directory, extra: new Dictionary<string, string?> { ["PATH"] = Environment.GetEnvironmentVariable("PATH") }).EnsureSuccess("dotnet git-theta.dll install");
        var process = repo.GitOk("config", "filter.theta.process").Trim();
        Assert.Contains("git-theta.dll", process);
        Assert.EndsWith("filter-process", process);

        repo.ThetaOk("track", "m.safetensors");
        var bytes = Checkpoint.Random(2).ToBytes();
        repo.Write("m.safetensors", bytes);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        Assert.Contains("git-theta/1", repo.Show("HEAD:m.safetensors"));
    }

    [Fact]
    public void A_filter_puts_a_missing_pre_push_hook_back_where_git_runs_hooks()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.ThetaOk("track", "m.safetensors");
        File.Delete(repo.Path(".git/hooks/pre-push"));
        repo.Write("m.safetensors", Checkpoint.Random(2).ToBytes());
        repo.GitOk("add", "m.safetensors");
        Assert.Contains("# installed by git-theta", File.ReadAllText(repo.Path(".git/hooks/pre-push")));

        // With core.hooksPath (relative: to the top of the work tree), the hook goes there and not into .git/hooks.
        repo.GitOk("config", "core.hooksPath", "ci/hooks");
        File.Delete(repo.Path(".git/hooks/pre-push"));
        repo.Write("m.safetensors", Checkpoint.Random(3).ToBytes());
        repo.GitOk("add", "m.safetensors");
        Assert.Contains("# installed by git-theta", File.ReadAllText(repo.Path("ci/hooks/pre-push")));
        Assert.False(File.Exists(repo.Path(".git/hooks/pre-push")));
    }

    [Fact]
    public void Install_chains_an_existing_pre_push_hook_instead_of_overwriting_it()
    {
        Sandbox.RequireGitLfs();
        var repo = sandbox.InitRepository();
        var marker = sandbox.Path("hook-ran");
        var hook = repo.Path(".git/hooks/pre-push");
        File.WriteAllText(hook, $"#!/bin/sh\ncat > '{marker}'\n");
        File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);

        repo.ThetaOk("install");
        Assert.True(File.Exists(hook + ".theta-chained"));
        repo.ThetaOk("install");
        Assert.True(File.Exists(hook + ".theta-chained"));

        var remote = sandbox.InitBare();
        repo.ThetaOk("track", "m.safetensors");
        repo.Write("m.safetensors", Checkpoint.Random(2).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        Assert.Contains("refs/heads/main", File.ReadAllText(marker));
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), "*", SearchOption.AllDirectories).Count());

        repo.ThetaOk("uninstall");
        Assert.True(File.Exists(hook));
        Assert.Contains(marker, File.ReadAllText(hook));
    }

    [Fact]
    public void Install_from_a_GitTheta_Sdk_package_runs_a_copy_that_survives_the_package_and_without_it_never_deletes_a_checkpoint()
    {
        Sandbox.RequireGitLfs();

        // The SDK's layout in a NuGet packages folder: <packages>/gittheta.sdk/<version>/tools/net/git-theta.dll.
        var package = sandbox.Path("nuget-packages", "gittheta.sdk", "9.9.9-test", "tools", "net");
        foreach (var file in Directory.EnumerateFiles(Sandbox.SdkToolDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Sandbox.SdkToolDirectory, file);

            var target = Path.Combine(package, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        // Only the package's git-theta can serve git: the built tool's folder is off PATH.
        var withoutTool = new Dictionary<string, string?> { ["PATH"] = string.Join(Path.PathSeparator, (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Where(p => !p.TrimEnd('/').Equals(Sandbox.ToolDirectory.TrimEnd('/'), StringComparison.Ordinal))) };
        var repo = sandbox.InitRepository();
        ProcessResult Git(params string[] arguments) => sandbox.Run("git", arguments, repo.Directory, extra: withoutTool);
        sandbox.Run("dotnet", new[] { Path.Combine(package, "git-theta.dll"), "install" }, repo.Directory, extra: withoutTool).EnsureSuccess("dotnet <package>/git-theta.dll install");

        var shim = repo.Path(".git/theta/bin/git-theta");
        Assert.Equal(shim + " filter-process", repo.GitOk("config", "filter.theta.process").Trim());
        Assert.Equal(shim + " smudge %f", repo.GitOk("config", "filter.theta.smudge").Trim());
        Assert.True(File.Exists(repo.Path(".git/theta/tool/9.9.9-test/git-theta.dll")));
        Assert.Contains(shim + " pre-push", File.ReadAllText(repo.Path(".git/hooks/pre-push")));

        repo.ThetaOk("track", "m.safetensors");
        var bytes = Checkpoint.Random(2).ToBytes();
        repo.Write("m.safetensors", bytes);
        Git("add", ".").EnsureSuccess("git add");
        Git("commit", "-q", "-m", "v1").EnsureSuccess("git commit");
        var metadata = repo.Show("HEAD:m.safetensors");
        Assert.Contains("git-theta/1", metadata);

        // The package leaves the NuGet cache: the repository's copy still serves git.
        Directory.Delete(sandbox.Path("nuget-packages"), recursive: true);
        File.Delete(repo.Path("m.safetensors"));
        Git("checkout", "--", "m.safetensors").EnsureSuccess("git checkout after the cache clear");
        Assert.Equal(bytes, repo.Read("m.safetensors"));

        // The copy goes too: a checkout writes the metadata (never deletes the file), add stores nothing, both say how to repair.
        Directory.Delete(repo.Path(".git/theta/tool"), recursive: true);
        repo.Write("m.safetensors", bytes.Concat(new byte[8]).ToArray());
        var checkout = Git("checkout", "--", "m.safetensors");
        Assert.Contains("git-theta: error GT1012: the git-theta that this repository's filters run is missing", checkout.Error);
        Assert.Contains("git-theta: m.safetensors checked out as git-theta metadata (GT1012).", checkout.Error);
        Assert.Equal(metadata, File.ReadAllText(repo.Path("m.safetensors")));
        var staged = repo.GitOk("rev-parse", ":m.safetensors").Trim();
        repo.Write("m.safetensors", Checkpoint.Random(3).ToBytes());
        var add = Git("add", "m.safetensors");
        Assert.NotEqual(0, add.ExitCode);
        Assert.Contains("git-theta: error GT1012: cannot clean m.safetensors without git-theta; nothing was stored.", add.Error);
        Assert.Equal(staged, repo.GitOk("rev-parse", ":m.safetensors").Trim());

        // Installing again (here: the built tool) repairs; uninstall removes the shim and the copies.
        repo.ThetaOk("install");
        repo.ThetaOk("uninstall");
        Assert.False(File.Exists(shim));
        Assert.False(Directory.Exists(repo.Path(".git/theta/tool")));
    }

    public void Dispose() => sandbox.Dispose();
}
