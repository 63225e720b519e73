using System.Text;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Every case of the hostile corpus (tests/fixtures/hostile), through the real git and git-lfs: <c>git add</c> of the
/// file, or <c>git checkout</c> of it committed as metadata, is refused with exactly one
/// <c>git-theta: error GTxxxx:</c> line of the documented code, leaves the index, the object store and the work tree
/// as they were (a failed checkout writes no checkpoint), and finishes under the watchdog and the memory bound; the
/// single-shot <c>git-theta clean</c>/<c>smudge</c> exits with the documented exit code. One subclass per format, so
/// that xunit runs the formats side by side.
/// </summary>
public abstract class HostileInputTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    protected void Run(string name, string operation)
    {
        var hostile = HostileCorpus.Case(name);
        if (operation == "add")
        {
            Add(hostile);
        }
        else
        {
            Assert.Equal("checkout", operation);
            Checkout(hostile);
        }
    }

    private void Add(HostileCase hostile)
    {
        var repo = ThetaRepoFactory.Create(sandbox, hostile.Path, "base.safetensors");
        repo.Write("base.safetensors", Checkpoint.Random(2).ToBytes());
        var bytes = hostile.Bytes();
        if (hostile.Mutation is { } mutation)
        {
            // A lie about a real object: the seed is committed, then its own metadata, edited, is what gets added.
            repo.Write(hostile.Path, bytes);
            repo.GitOk("add", ".");
            repo.Commit("seed");
            bytes = HostileCorpus.Mutate(repo.Show("HEAD:" + hostile.Path), mutation);
        }
        else
        {
            repo.GitOk("add", ".");
            repo.Commit("base");
        }

        repo.Write(hostile.Path, bytes);
        var before = HostileRepoState.Take(repo);

        var add = HostileMeasuredRun.Run(sandbox, repo.Directory, "git", new[] { "add", hostile.Path });
        var clean = HostileMeasuredRun.Run(sandbox, repo.Directory, "git-theta", new[] { "clean", hostile.Path }, bytes);

        AssertBounded(hostile, add, "git add");
        AssertBounded(hostile, clean, "git-theta clean");
        if (hostile.MayBeAccepted && add.Result.ExitCode == 0)
        {
            // Allowed instead of the refusal: the file is stored, in bounded time (asserted above), and so is the clean.
            Assert.True(clean.Result.ExitCode == 0, $"git add accepted {hostile.Name} but git-theta clean did not:\n{clean.Describe()}");
            Assert.Contains("git-theta/", repo.Show(":" + hostile.Path), StringComparison.Ordinal);
            return;
        }

        AssertRefused(hostile, add, "git add", gitExit: null);
        AssertRefused(hostile, clean, "git-theta clean", gitExit: hostile.Exit);
        Assert.True(clean.Result.Output.Length == 0, $"git-theta clean wrote {clean.Result.Output.Length} chars to stdout for a refused file");
        AssertUnchanged(repo, before, hostile);
    }

    private void Checkout(HostileCase hostile)
    {
        var repo = ThetaRepoFactory.Create(sandbox, hostile.Path, "base.safetensors");
        repo.Write("base.safetensors", Checkpoint.Random(2).ToBytes());
        repo.GitOk("add", ".");
        string? good = null;
        byte[] metadata;
        byte[]? seed = null;
        if (hostile.Mutation is { } mutation)
        {
            seed = hostile.Bytes();
            repo.Write(hostile.Path, seed);
            repo.GitOk("add", hostile.Path);
            good = repo.Commit("good version");
            metadata = HostileCorpus.Mutate(repo.Show("HEAD:" + hostile.Path), mutation);
        }
        else
        {
            repo.Commit("base");
            metadata = hostile.Bytes();
        }

        // Committed as it is, bypassing the clean filter (which validates metadata): what a damaged or forged
        // history holds.
        var blob = sandbox.Run("git", new[] { "hash-object", "-w", "--no-filters", "--stdin" }, repo.Directory, metadata).EnsureSuccess("git hash-object").Output.Trim();
        repo.GitOk("update-index", "--add", "--cacheinfo", $"100644,{blob},{hostile.Path}");
        repo.Commit("hostile metadata");
        File.Delete(repo.Path(hostile.Path));
        var before = HostileRepoState.Take(repo);

        var checkout = HostileMeasuredRun.Run(sandbox, repo.Directory, "git", new[] { "checkout", "--", hostile.Path });
        var smudge = HostileMeasuredRun.Run(sandbox, repo.Directory, "git-theta", new[] { "smudge", hostile.Path }, metadata);

        AssertBounded(hostile, checkout, "git checkout");
        AssertBounded(hostile, smudge, "git-theta smudge");
        AssertRefused(hostile, checkout, "git checkout", gitExit: null);
        AssertRefused(hostile, smudge, "git-theta smudge", gitExit: hostile.Exit);
        Assert.True(smudge.Result.Output.Length == 0, $"git-theta smudge wrote {smudge.Result.Output.Length} chars of checkpoint for metadata it refused");
        if (File.Exists(repo.Path(hostile.Path)))
        {
            Assert.Fail($"a refused checkout wrote {hostile.Path} ({new FileInfo(repo.Path(hostile.Path)).Length} bytes):\n{checkout.Describe()}");
        }
        AssertUnchanged(repo, before, hostile);

        if (good is not null)
        {
            // Issue 11 item 1: the intact objects survived the lie, so the good version still checks out, bit for bit.
            var restore = repo.Git("checkout", good, "--", hostile.Path);
            Assert.True(restore.ExitCode == 0, $"the good version no longer checks out after {hostile.Name}:\n{restore.Error}");
            Assert.Equal(seed, repo.Read(hostile.Path));
        }
    }

    private static void AssertBounded(HostileCase hostile, HostileMeasuredRun run, string what)
    {
        Assert.False(run.TimedOut, $"{hostile.Name}: {what} still ran after the {HostileMeasuredRun.Watchdog.TotalSeconds} s watchdog ({hostile.Why}).\n{run.Describe()}");
        if (run.PeakRssMiB is { } rss)
        {
            Assert.True(rss < HostileMeasuredRun.RssBoundMiB, $"{hostile.Name}: {what} peaked at {rss:F0} MiB (bound {HostileMeasuredRun.RssBoundMiB} MiB).\n{run.Describe()}");
        }
    }

    private static void AssertRefused(HostileCase hostile, HostileMeasuredRun run, string what, int? gitExit)
    {
        var context = $"{hostile.Name} ({hostile.Why}): {what}\n{run.Describe()}";
        Assert.True(run.Result.ExitCode != 0, $"expected a refusal with {hostile.Code}, but it succeeded. {context}");
        if (gitExit is { } exit)
        {
            Assert.True(exit == run.Result.ExitCode, $"expected exit code {exit}. {context}");
        }

        var errors = run.ErrorLines;
        Assert.True(errors.Count == 1, $"expected exactly one 'git-theta: error' line, got {errors.Count}. {context}");
        Assert.True(errors[0].StartsWith($"git-theta: error {hostile.Code}: ", StringComparison.Ordinal), $"expected {hostile.Code}. {context}");
        Assert.True(errors[0].Length > $"git-theta: error {hostile.Code}: ".Length + 10, $"the message says nothing. {context}");
        Assert.True(errors[0].Contains(hostile.Path, StringComparison.Ordinal), $"the message does not name {hostile.Path}. {context}");
        Assert.False(run.Result.Error.Contains("   at ", StringComparison.Ordinal), $"a stack trace without GIT_THETA_LOG_LEVEL=debug. {context}");
    }

    private static void AssertUnchanged(GitRepo repo, HostileRepoState before, HostileCase hostile)
    {
        var differences = HostileRepoState.Take(repo).Differences(before);
        Assert.True(differences.Count == 0, $"{hostile.Name} changed the repository:\n{string.Join('\n', differences)}");
        var temp = HostileRepoState.TempFiles(repo);
        Assert.True(temp.Count == 0, $"{hostile.Name} left temp files: {string.Join(", ", temp)}");
    }
}
