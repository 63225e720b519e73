using System.Text.Json;
using GitTheta.Tool.Tests.EndToEnd;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary><c>git theta env</c>: what a bug report needs, with every setting's source, in text and as JSON.</summary>
public sealed class EnvTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Env_reports_versions_drivers_hook_store_remotes_and_settings_with_their_source()
    {
        var (repo, environment) = Prepared();

        var result = sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "env" }, repo.Directory, extra: environment);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        var lines = result.Output.Split('\n');
        Assert.StartsWith("git-theta 1.", lines[0]);
        Assert.Contains(".NET ", lines[0]);
        Assert.StartsWith("git version ", lines[1]);
        Assert.StartsWith("git-lfs/", lines[2]);
        Assert.Contains($"Repository={Path.Combine(repo.Directory, ".git")}", lines);
        Assert.Contains(lines, l => l.StartsWith("git config filter.theta.process = \"", StringComparison.Ordinal) && l.EndsWith(" filter-process\" (starts)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("git config merge.theta.driver = \"", StringComparison.Ordinal) && l.EndsWith("\" (starts)", StringComparison.Ordinal));
        Assert.Contains("git config filter.theta.clean = \"/nonexistent/git-theta clean %f\" (does not start)", lines);
        Assert.Contains($"PrePushHook={Path.Combine(repo.Directory, ".git", "hooks", "pre-push")} (git-theta)", lines);
        Assert.Contains(lines, l => l.StartsWith($"Store={Path.Combine(repo.Directory, ".git", "lfs")} (", StringComparison.Ordinal) && !l.EndsWith("(0 B)", StringComparison.Ordinal));
        Assert.Contains($"Remote (origin)={sandbox.Path("remote.git")} LfsEndpoint=file://{sandbox.Path("remote.git")}", lines);
        Assert.Contains("theta.parameterAtol=1e-3 (env GIT_THETA_PARAMETER_ATOL)", lines);
        Assert.Contains("theta.parameterRtol=0.01 (git config)", lines);
        Assert.Contains("theta.lshSignatureSize=16 (default)", lines);
        Assert.Contains("GIT_THETA_PROGRESS_THRESHOLD=64m (default)", lines);
        Assert.Contains("theta.writeBehind=true (default)", lines);
    }

    [Fact]
    public void Env_json_parses_and_holds_the_same_report()
    {
        var (repo, environment) = Prepared();
        var tool = Path.Combine(Sandbox.ToolDirectory, "git-theta");

        var text = sandbox.Run(tool, new[] { "env" }, repo.Directory, extra: environment).EnsureSuccess("env").Output;
        var json = sandbox.Run(tool, new[] { "env", "--json" }, repo.Directory, extra: environment).EnsureSuccess("env --json").Output;

        using var document = JsonDocument.Parse(json);
        var report = document.RootElement;
        Assert.Equal(
            new[] { "versions", "repository", "drivers", "hook", "store", "storeBytes", "remotes", "settings" },
            report.EnumerateObject().Select(p => p.Name));
        var versions = report.GetProperty("versions");
        Assert.Equal(new[] { "gitTheta", "git", "gitLfs", "dotnet" }, versions.EnumerateObject().Select(p => p.Name));
        Assert.All(versions.EnumerateObject(), v => Assert.Contains(v.Value.GetString()!, text));
        Assert.Equal(5, report.GetProperty("drivers").GetArrayLength());
        Assert.All(report.GetProperty("drivers").EnumerateArray(), d => Assert.Contains($"git config {d.GetProperty("key").GetString()} = \"{d.GetProperty("command").GetString()}\" ({(d.GetProperty("starts").GetBoolean() ? "starts" : "does not start")})", text));
        Assert.True(report.GetProperty("hook").GetProperty("installedByGitTheta").GetBoolean());
        Assert.True(report.GetProperty("storeBytes").GetInt64() > 0);
        var remote = Assert.Single(report.GetProperty("remotes").EnumerateArray());
        Assert.Equal("origin", remote.GetProperty("name").GetString());
        Assert.Equal($"file://{sandbox.Path("remote.git")}", remote.GetProperty("lfsEndpoint").GetString());
        var settings = report.GetProperty("settings").EnumerateArray().ToList();
        Assert.All(settings, s => Assert.Contains($"{s.GetProperty("key").GetString()}={s.GetProperty("value").GetString()} ({s.GetProperty("source").GetString()})", text));
        Assert.Contains(settings, s => s.GetProperty("key").GetString() == "theta.parameterAtol" && s.GetProperty("source").GetString() == "env GIT_THETA_PARAMETER_ATOL");
        Assert.Contains(settings, s => s.GetProperty("key").GetString() == "theta.parameterRtol" && s.GetProperty("source").GetString() == "git config");
    }

    [Fact]
    public void Env_outside_a_repository_reports_versions_and_defaults()
    {
        var result = sandbox.Theta(sandbox.Root, "env");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Repository=(none)", result.Output);
        Assert.Contains("git config filter.theta.process = (not set: run 'git theta install')", result.Output);
        Assert.Contains("theta.parameterAtol=1E-08 (default)", result.Output);
        Assert.DoesNotContain("Store=", result.Output);
    }

    [Fact]
    public void Env_without_git_lfs_says_so_and_still_reports_the_rest()
    {
        var (repo, _) = Prepared();

        var result = sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "env", "--json" }, repo.Directory, extra: PathWithoutGitLfs.Environment(sandbox));
        var text = sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "env" }, repo.Directory, extra: PathWithoutGitLfs.Environment(sandbox));

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("versions").GetProperty("gitLfs").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("remotes")[0].GetProperty("lfsEndpoint").ValueKind);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("\ngit-lfs: not installed (GT2012: ", text.Output);
        Assert.Contains($"Remote (origin)={sandbox.Path("remote.git")} LfsEndpoint=(unknown)", text.Output);
    }

    public void Dispose() => sandbox.Dispose();

    /// <summary>A repository with one commit, a remote, an atol from the environment, an rtol from git config and a clean command that cannot start.</summary>
    private (GitRepo Repo, Dictionary<string, string?> Environment) Prepared()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.Write("model.safetensors", Checkpoint.Random(3).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        sandbox.InitBare();
        repo.GitOk("remote", "add", "origin", sandbox.Path("remote.git"));
        repo.GitOk("config", "theta.parameterRtol", "0.01");
        repo.GitOk("config", "filter.theta.clean", "/nonexistent/git-theta clean %f");
        return (repo, new Dictionary<string, string?> { ["GIT_THETA_PARAMETER_ATOL"] = "1e-3" });
    }
}
