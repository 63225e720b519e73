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
        var dll = Path.Combine(Sandbox.ToolDirectory, "git-theta.dll");
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

    public void Dispose() => sandbox.Dispose();
}
