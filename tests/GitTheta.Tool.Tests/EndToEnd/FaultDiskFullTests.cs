using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Disk full: the repository's LFS store (.git/lfs) on a 16 MiB tmpfs, and a 48 MiB checkpoint to add. The add is
/// refused with one line naming the cause and the path (issue 11 item 12: GT2023, not GT2000 "unexpected error"),
/// the index is unchanged, no half object or temp file stays, and what was committed before still verifies.
/// </summary>
public sealed class FaultDiskFullTests : IDisposable
{
    private readonly Sandbox sandbox = new();
    private string? mounted;

    public void Dispose()
    {
        if (mounted is not null)
        {
            var unmount = sandbox.Run("umount", new[] { mounted }, sandbox.Root);
            if (unmount.ExitCode != 0)
            {
                sandbox.Run("umount", new[] { "-l", mounted }, sandbox.Root);
            }
        }

        sandbox.Dispose();
    }

    [FaultRootOnLinuxFact]
    public void A_full_disk_fails_git_add_with_one_line_naming_the_cause_and_changes_nothing()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "*.safetensors");
        var lfs = Path.Combine(repo.Directory, ".git", "lfs");
        Directory.CreateDirectory(lfs);
        var mount = sandbox.Run("mount", new[] { "-t", "tmpfs", "-o", "size=16m", "tmpfs", lfs }, sandbox.Root);
        Assert.True(mount.ExitCode == 0, $"running as root on Linux, but a 16 MiB tmpfs could not be mounted at {lfs}:\n{mount.Error}");
        mounted = lfs;

        repo.Write("small.safetensors", Checkpoint.Random(2).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("small");
        FaultCheckpoint.Write(repo.Path("big.safetensors"), groups: 24, groupBytes: 2 << 20, seed: 5);
        var before = HostileRepoState.Take(repo);

        var add = HostileMeasuredRun.Run(sandbox, repo.Directory, "git", new[] { "add", "big.safetensors" });

        Assert.False(add.TimedOut, add.Describe());
        Assert.True(add.Result.ExitCode != 0, $"git add of 48 MiB into a 16 MiB store succeeded:\n{add.Describe()}");
        var errors = add.ErrorLines;
        Assert.True(errors.Count == 1, $"expected one 'git-theta: error' line:\n{add.Describe()}");
        Assert.True(errors[0].StartsWith("git-theta: error GT2023: ", StringComparison.Ordinal), $"expected GT2023 (I/O failure naming the cause):\n{add.Describe()}");
        Assert.Contains("big.safetensors", errors[0], StringComparison.Ordinal);
        Assert.Matches("(?i)no space|disk (is )?full", errors[0]);
        Assert.DoesNotContain("   at ", add.Result.Error, StringComparison.Ordinal);
        var differences = HostileRepoState.Take(repo).Differences(before);
        Assert.True(differences.Count == 0, string.Join('\n', differences));
        Assert.Empty(HostileRepoState.TempFiles(repo));
        Assert.Empty(HostileRepoState.HalfObjects(repo));
        var verify = repo.Theta("verify");
        Assert.True(verify.ExitCode == 0, $"git theta verify fails after the disk filled:\n{verify.Output}\n{verify.Error}");
    }
}
