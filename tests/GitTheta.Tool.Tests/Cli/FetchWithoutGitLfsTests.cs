using GitTheta.Tool.Tests.EndToEnd;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary>
/// A machine without git-lfs: every command that needs it says so in one GT2012 line, without git's
/// "'lfs' is not a git command" page repeated per object.
/// </summary>
public sealed class FetchWithoutGitLfsTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Fetch_in_a_clone_whose_objects_are_missing_is_one_GT2012_line()
    {
        var clone = CloneWithoutObjects(installFilter: false);

        var fetch = sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "fetch" }, clone.Directory, extra: WithoutGitLfs());

        Assert.Equal(7, fetch.ExitCode); // GitFailed: docs/commands.md#exit-codes
        AssertOneGitLfsLine(fetch.Error);
        Assert.Empty(clone.StoredObjects());
    }

    [Fact]
    public void A_checkout_that_needs_missing_objects_fails_with_one_GT2012_line()
    {
        var clone = CloneWithoutObjects(installFilter: true);
        var metadata = File.ReadAllBytes(clone.Path("model.safetensors"));
        File.Delete(clone.Path("model.safetensors"));

        var checkout = sandbox.Run("git", new[] { "checkout", "--", "model.safetensors" }, clone.Directory, extra: WithoutGitLfs());

        Assert.NotEqual(0, checkout.ExitCode);
        AssertOneGitLfsLine(checkout.Error);
        Assert.Contains("fatal: model.safetensors: smudge filter theta failed", checkout.Error);
        Assert.False(File.Exists(clone.Path("model.safetensors")), "a failed smudge left a file");
        Assert.StartsWith("{", System.Text.Encoding.UTF8.GetString(metadata));
    }

    [Fact]
    public void A_push_with_new_objects_stops_in_the_pre_push_hook_with_one_GT2012_line()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var remote = sandbox.InitBare();
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.Write("model.safetensors", Checkpoint.Random(4).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");

        var push = sandbox.Run("git", new[] { "push", "origin", "main" }, repo.Directory, extra: WithoutGitLfs());

        Assert.NotEqual(0, push.ExitCode);
        AssertOneGitLfsLine(push.Error);
        Assert.Equal(string.Empty, remote.GitOk("for-each-ref"));
    }

    public void Dispose() => sandbox.Dispose();

    private static void AssertOneGitLfsLine(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var gitTheta = Assert.Single(lines, l => l.Contains("git-theta: error", StringComparison.Ordinal));
        Assert.Contains("git-theta: error GT2012: git-lfs is not installed", gitTheta);
        Assert.DoesNotContain("did you mean", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("is not a git command", error, StringComparison.Ordinal);
        Assert.True(lines.Length <= 3, "more than git-theta's line and git's own summary:\n" + error);
    }

    /// <summary>A clone (file:// remote) of a pushed checkpoint, made without the filter, so its working file is metadata and its store empty.</summary>
    private GitRepo CloneWithoutObjects(bool installFilter)
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var remote = sandbox.InitBare();
        repo.Write("model.safetensors", Checkpoint.Random(4).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", "file://" + remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        sandbox.Git(sandbox.Root, "clone", "-q", "file://" + remote.Directory, "clone").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        if (installFilter)
        {
            sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "install" }, clone.Directory, extra: WithoutGitLfs()).EnsureSuccess("install");
        }

        Assert.StartsWith("{", File.ReadAllText(clone.Path("model.safetensors")));
        Assert.Empty(clone.StoredObjects());
        return clone;
    }

    private Dictionary<string, string?> WithoutGitLfs() => PathWithoutGitLfs.Environment(sandbox);
}
