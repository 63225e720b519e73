using System.Diagnostics;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// kill -9 of the git-theta filter at several points of <c>git add</c> and <c>git checkout</c> of a 256 MiB
/// checkpoint: the repository stays consistent (the index unchanged or complete, <c>git theta verify</c> passes, no
/// half object in the store, no truncated checkpoint in the work tree), the next command succeeds and cleans up
/// after the dead process, and the data comes back bit for bit.
/// </summary>
public sealed class FaultKillTests : IDisposable
{
    private const int Groups = 128;
    private const int GroupBytes = 2 << 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    public static TheoryData<string> AddPoints() => new() { "as-the-filter-starts", "mid-object", "after-16-objects" };

    public static TheoryData<string> CheckoutPoints() => new() { "as-the-filter-starts", "after-64-MiB-written" };

    [Theory]
    [MemberData(nameof(AddPoints))]
    public async Task Killing_git_add_leaves_a_consistent_repository_and_the_next_add_cleans_up(string point)
    {
        var repo = ThetaRepoFactory.Create(sandbox, "big.safetensors");
        FaultCheckpoint.Write(repo.Path("big.safetensors"), Groups, GroupBytes, seed: 1);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        FaultCheckpoint.Write(repo.Path("big.safetensors"), Groups, GroupBytes, seed: 2);
        var v2 = repo.Read("big.safetensors");
        var index = repo.GitOk("ls-files", "-s");
        var objects = repo.StoredObjects().Count;

        var add = OnOwnThread(() => repo.Git("add", "big.safetensors"));
        var killed = await KillWhen(repo, add, point switch
        {
            "as-the-filter-starts" => _ => true,
            "mid-object" => _ => HostileRepoState.TempFiles(repo).Any(f => Length(f) > 0),
            _ => _ => repo.StoredObjects().Count >= objects + 16,
        });
        var result = await add.WaitAsync(Patience);

        Assert.True(killed, $"git add ended before the kill point '{point}' (exit {result.ExitCode}); the checkpoint is too small for this machine");

        // Objects enter the store only when the clean commits them, the last step before the filter answers: on a
        // loaded machine the kill after 16 of them can land after the answer. Then the add is whole, never partial.
        var answeredFirst = point == "after-16-objects" && result.ExitCode == 0;
        Assert.True(result.ExitCode != 0 || answeredFirst, $"git add succeeded although its filter was killed:\n{result.Error}");
        Assert.True(!answeredFirst || IndexComplete(repo), "git add succeeded after the kill but its index names objects that are not all in the store");
        var after = repo.GitOk("ls-files", "-s");
        Assert.True(after == index || IndexComplete(repo), $"the index is neither unchanged nor complete:\n{index}\n{after}");
        AssertConsistent(repo);

        // Issue 11 item 11: the next clean removes what the dead process left in the temp folder.
        repo.GitOk("add", "big.safetensors");
        var left = HostileRepoState.TempFiles(repo);
        Assert.True(left.Count == 0, $"the next git add left the killed process's temp files: {string.Join(", ", left.Select(f => $"{Path.GetFileName(f)} ({Length(f)} bytes)"))}");
        repo.Commit("v2");
        AssertConsistent(repo);
        File.Delete(repo.Path("big.safetensors"));
        repo.GitOk("checkout", "--", "big.safetensors");
        Assert.True(v2.AsSpan().SequenceEqual(repo.Read("big.safetensors")), "v2 does not check out bit for bit after the interrupted add");
    }

    [Theory]
    [MemberData(nameof(CheckoutPoints))]
    public async Task Killing_git_checkout_leaves_no_truncated_checkpoint_and_the_next_checkout_succeeds(string point)
    {
        var repo = ThetaRepoFactory.Create(sandbox, "big.safetensors");
        FaultCheckpoint.Write(repo.Path("big.safetensors"), Groups, GroupBytes, seed: 3);
        var v1 = repo.Read("big.safetensors");
        repo.GitOk("add", ".");
        repo.Commit("v1");
        File.Delete(repo.Path("big.safetensors"));
        var index = repo.GitOk("ls-files", "-s");
        var store = HostileRepoState.Take(repo).Store;

        var checkout = OnOwnThread(() => repo.Git("checkout", "--", "big.safetensors"));
        var killed = await KillWhen(repo, checkout, point == "as-the-filter-starts" ? _ => true : pid => FaultProcesses.Written(pid) >= 64L << 20);
        var result = await checkout.WaitAsync(Patience);

        Assert.True(killed, $"git checkout ended before the kill point '{point}' (exit {result.ExitCode}); the checkpoint is too small for this machine");
        Assert.True(result.ExitCode != 0, $"git checkout succeeded although its filter was killed:\n{result.Error}");
        var path = repo.Path("big.safetensors");
        Assert.True(!File.Exists(path) || v1.AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"the killed checkout left a {Length(path)}-byte file that is not the checkpoint ({v1.Length} bytes)");
        Assert.Equal(index, repo.GitOk("ls-files", "-s"));
        Assert.Equal(store, HostileRepoState.Take(repo).Store);
        AssertConsistent(repo);

        repo.GitOk("checkout", "--", "big.safetensors");
        Assert.True(v1.AsSpan().SequenceEqual(repo.Read("big.safetensors")), "the checkout after the kill is not bit for bit");
    }

    /// <summary>
    /// Polls until the condition holds for one of the repository's git-theta processes, then kills it. The poll has a
    /// thread of its own, as has the git command: on two cores a thread-pool poll waited up to a second for a thread while
    /// the filter ran, and found it only after it had answered git (the kill then came too late to test anything).
    /// </summary>
    private static Task<bool> KillWhen(GitRepo repo, Task running, Func<int, bool> condition) => OnOwnThread(() =>
    {
        var watch = Stopwatch.StartNew();
        while (!running.IsCompleted && watch.Elapsed < Patience)
        {
            foreach (var pid in FaultProcesses.GitTheta(repo.Directory))
            {
                if (condition(pid))
                {
                    FaultProcesses.Kill(pid);
                    return true;
                }
            }

            Thread.Sleep(2);
        }

        return false;
    });

    private static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The staged metadata names only objects that are in the store, intact (verified as a commit of the index).</summary>
    private static bool IndexComplete(GitRepo repo)
    {
        var commit = repo.GitOk("commit-tree", repo.GitOk("write-tree").Trim(), "-p", "HEAD", "-m", "the index after the kill").Trim();
        return repo.Theta("verify", commit).ExitCode == 0;
    }

    private static void AssertConsistent(GitRepo repo)
    {
        var verify = repo.Theta("verify");
        Assert.True(verify.ExitCode == 0, $"git theta verify fails:\n{verify.Output}\n{verify.Error}");
        var half = HostileRepoState.HalfObjects(repo);
        Assert.True(half.Count == 0, $"half-written objects in the store: {string.Join(", ", half)}");
    }

    private static long Length(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
