using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// git theta gc through real git and git-lfs: what keeps an object (history, the index, stashes, reflogs,
/// remote-tracking branches, worktrees, git-lfs pointers, the grace period) and what happens when history cannot be read.
/// </summary>
public sealed class GcTests : IDisposable
{
    private const string Model = "model.safetensors";

    private static readonly byte[] V1 = Checkpoint.Random(4).ToBytes();
    private static readonly byte[] V2 = Checkpoint.Random(4).Add(1, 1e-2f).ToBytes();
    private static readonly byte[] V3 = Checkpoint.Random(4).Add(2, 1e-2f).Add(3, 1e-2f).ToBytes();

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Gc_removes_exactly_the_objects_of_a_version_added_then_reset_away_and_both_commits_still_check_out()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitVersion(repo, V1);
        CommitVersion(repo, V2);
        var needed = repo.StoredObjects();
        var abandoned = StageThenResetAway(repo, V3);
        Assert.Equal(2, abandoned.Count);
        Assert.All(abandoned, oid => Assert.True(File.Exists(repo.ObjectFile(oid))));

        // One of them also has git-lfs's name, as a push would have given it (a copy where links are refused).
        Directory.CreateDirectory(Path.GetDirectoryName(repo.LfsObjectFile(abandoned[0]))!);
        File.Copy(repo.ObjectFile(abandoned[0]), repo.LfsObjectFile(abandoned[0]));

        var gc = repo.ThetaOk("gc", "--prune=now", "--verbose");

        Assert.Equal(needed.Order(), repo.StoredObjects().Order());
        Assert.Equal(abandoned.Order(), Listed(gc, "removed"));
        Assert.Matches($"Removed 2 unreferenced object\\(s\\) \\([0-9.]+ KiB\\); kept {needed.Count} object\\(s\\) \\([0-9.]+ KiB\\): {needed.Count} referenced, 0 changed within the grace period\\.", gc);
        Assert.All(abandoned, oid => Assert.False(File.Exists(repo.ObjectFile(oid)) || File.Exists(repo.LfsObjectFile(oid))));
        Assert.All(needed, oid => Assert.True(File.Exists(repo.ObjectFile(oid))));

        // No remote: the checkouts can only succeed from what gc left in the local store.
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(V2, repo.Read(Model));
        repo.GitOk("checkout", "-q", "HEAD~1");
        Assert.Equal(V1, repo.Read(Model));
    }

    [Fact]
    public void Objects_only_the_index_names_survive_until_they_are_unstaged()
    {
        var (repo, committed) = RepositoryWithFirstVersion();
        var staged = ObjectsAddedBy(repo, () => Stage(repo, V2));

        AssertKeptOnlyWhileReferenced(repo, staged, whileKept: null, dropReference: () => repo.GitOk("reset", "-q"), committed);
    }

    [Fact]
    public void A_conflicted_merge_keeps_the_objects_of_every_side_in_the_index_until_it_is_finished()
    {
        var (repo, _) = RepositoryWithFirstVersion();
        repo.GitOk("checkout", "-q", "-b", "feature");
        var theirs = ObjectsAddedBy(repo, () => CommitVersion(repo, V3));
        repo.GitOk("checkout", "-q", "main");
        CommitVersion(repo, Checkpoint.Random(4).Add(2, -2e-2f).ToBytes());
        Assert.NotEqual(0, repo.Git("merge", "--no-edit", "feature").ExitCode);
        Assert.Equal("UU model.safetensors\n", repo.GitOk("status", "--porcelain"));

        // Their side is now named only by stage 3 of the index (and MERGE_HEAD, which git's own gc does not count).
        repo.GitOk("branch", "-q", "-D", "feature");
        repo.GitOk("reflog", "expire", "--expire=now", "--all");
        repo.ThetaOk("gc", "--prune=now");

        Assert.Subset(repo.StoredObjects(), theirs.ToHashSet());
        sandbox.Run("git", new[] { "checkout", "-m", "--", Model }, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "theirs" }).EnsureSuccess("merge again with theirs");
        Assert.Equal(V3, repo.Read(Model));
    }

    [Fact]
    public void Objects_only_stashes_name_survive_even_in_an_older_stash_entry_and_still_apply()
    {
        var (repo, committed) = RepositoryWithFirstVersion();
        var olderStash = ObjectsAddedBy(repo, () =>
        {
            repo.Write(Model, V2);
            repo.GitOk("stash", "-q");
        });
        repo.Write(Model, V3);
        repo.GitOk("stash", "-q");
        Assert.Equal(V1, repo.Read(Model));

        // stash@{1} is only in the reflog of refs/stash.
        AssertKeptOnlyWhileReferenced(
            repo,
            olderStash,
            whileKept: () =>
            {
                repo.GitOk("stash", "apply", "-q", "stash@{1}");
                Assert.Equal(V2, repo.Read(Model));
                repo.GitOk("checkout", "--", Model);
            },
            dropReference: () => repo.GitOk("stash", "clear"),
            committed);
    }

    [Fact]
    public void Objects_only_a_reflog_entry_names_survive_a_reset_to_the_previous_commit()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitVersion(repo, V1);
        var first = repo.StoredObjects();
        var second = string.Empty;
        var onlySecond = ObjectsAddedBy(repo, () => second = CommitVersion(repo, V2));
        repo.GitOk("reset", "-q", "--hard", "HEAD~1");

        AssertKeptOnlyWhileReferenced(
            repo,
            onlySecond,
            whileKept: () =>
            {
                repo.GitOk("checkout", "-q", second);
                Assert.Equal(V2, repo.Read(Model));
                repo.GitOk("checkout", "-q", "main");
            },
            dropReference: () => repo.GitOk("reflog", "expire", "--expire=now", "--all"),
            first);
    }

    [Fact]
    public void Objects_only_a_remote_tracking_branch_names_survive()
    {
        var (repo, remote) = RepositoryWithRemote();
        CommitVersion(repo, V1);
        var onMain = repo.StoredObjects();
        repo.GitOk("checkout", "-q", "-b", "side");
        var onSide = ObjectsAddedBy(repo, () => CommitVersion(repo, V2));
        repo.GitOk("push", "-q", "origin", "side");
        repo.GitOk("checkout", "-q", "main");
        repo.GitOk("branch", "-q", "-D", "side");
        repo.GitOk("reflog", "expire", "--expire=now", "--all");
        repo.GitOk("rev-parse", "--verify", "refs/remotes/origin/side");

        AssertKeptOnlyWhileReferenced(repo, onSide, whileKept: null, dropReference: () => repo.GitOk("branch", "-q", "-d", "-r", "origin/side"), onMain);
    }

    [Fact]
    public void The_object_of_a_plain_git_lfs_file_survives_and_still_checks_out()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.GitOk("lfs", "install", "--local", "--skip-repo");
        repo.GitOk("lfs", "track", "*.bin");
        var data = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        repo.Write("data.bin", data);
        repo.Write(Model, V1);
        repo.GitOk("add", ".");
        repo.Commit("model and data");
        var pointer = repo.Show("HEAD:data.bin");
        var lfsOid = Regex.Match(pointer, "oid sha256:([0-9a-f]{64})").Groups[1].Value;
        Assert.True(File.Exists(repo.LfsObjectFile(lfsOid)));

        var gc = repo.ThetaOk("gc", "--prune=now");

        Assert.Contains("Removed 0 unreferenced object(s)", gc);
        Assert.True(File.Exists(repo.LfsObjectFile(lfsOid)));
        File.Delete(repo.Path("data.bin"));
        repo.GitOk("checkout", "--", "data.bin");
        Assert.Equal(data, repo.Read("data.bin"));
    }

    [Fact]
    public void Unreferenced_objects_younger_than_the_grace_period_survive_the_default_and_the_configured_period()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitVersion(repo, V1);
        var abandoned = StageThenResetAway(repo, V3);

        var fresh = repo.ThetaOk("gc", "--verbose");
        Assert.Subset(repo.StoredObjects(), abandoned.ToHashSet());
        Assert.Contains($"{abandoned.Count} changed within the grace period", fresh);
        Assert.Empty(Listed(fresh, "removed"));

        foreach (var oid in abandoned)
        {
            File.SetLastWriteTimeUtc(ObjectPath(repo, oid), DateTime.UtcNow.AddHours(-2));
        }

        repo.GitOk("config", "theta.gcPruneExpire", "3.hours.ago");
        repo.ThetaOk("gc");
        Assert.Subset(repo.StoredObjects(), abandoned.ToHashSet());

        var pruned = repo.ThetaOk("gc", "--prune=1.hour.ago", "--verbose");
        Assert.Equal(abandoned.Order(), Listed(pruned, "removed"));
        Assert.Empty(repo.StoredObjects().Intersect(abandoned));
    }

    [Fact]
    public void The_default_grace_period_is_one_hour()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitVersion(repo, V1);
        var abandoned = StageThenResetAway(repo, V3);
        File.SetLastWriteTimeUtc(ObjectPath(repo, abandoned[0]), DateTime.UtcNow.AddMinutes(-50));
        File.SetLastWriteTimeUtc(ObjectPath(repo, abandoned[1]), DateTime.UtcNow.AddMinutes(-70));

        var gc = repo.ThetaOk("gc", "--verbose");

        Assert.Equal(new[] { abandoned[1] }, Listed(gc, "removed"));
        Assert.Contains(abandoned[0], repo.StoredObjects());
    }

    [Fact]
    public void A_dry_run_changes_nothing_and_lists_the_objects_a_real_run_then_removes()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitVersion(repo, V1);
        CommitVersion(repo, V2);
        var abandoned = StageThenResetAway(repo, V3);
        var temp = Path.Combine(repo.ThetaTemp(), "theta-1-left-behind.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        File.WriteAllText(temp, "half an object");
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddDays(-1));
        var before = repo.StoredObjects();

        var dry = repo.ThetaOk("gc", "--dry-run", "--prune=now", "--verbose");

        Assert.Equal(before.Order(), repo.StoredObjects().Order());
        Assert.True(File.Exists(temp));
        Assert.Equal(abandoned.Order(), Listed(dry, "would remove"));
        Assert.Contains("Would remove 2 unreferenced object(s)", dry);
        Assert.Contains("Would remove 1 stale temp file(s)", dry);

        var real = repo.ThetaOk("gc", "--prune=now", "--verbose");
        Assert.Equal(Listed(dry, "would remove"), Listed(real, "removed"));
        Assert.Equal(before.Except(abandoned).Order(), repo.StoredObjects().Order());
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void A_branch_whose_commit_is_lost_stops_gc_with_GT2022_before_anything_is_deleted()
    {
        var (repo, _) = RepositoryWithFirstVersion();
        StageThenResetAway(repo, V3);

        // As after copying a repository without all of its objects: the ref file names a commit that is not there.
        File.WriteAllText(repo.Path(".git/refs/heads/lost"), "0badc0de0badc0de0badc0de0badc0de0badc0de\n");

        AssertGcStopsWithGT2022(repo, "refs/heads/lost");
    }

    [Fact]
    public void A_missing_metadata_blob_stops_gc_with_GT2022_before_anything_is_deleted()
    {
        var (repo, _) = RepositoryWithFirstVersion();
        CommitVersion(repo, V2);
        StageThenResetAway(repo, V3);

        // A damaged disk or an interrupted copy: the loose object of the first version's metadata is gone.
        var blob = repo.GitOk("rev-parse", $"HEAD~1:{Model}").Trim();
        File.Delete(repo.Path($".git/objects/{blob[..2]}/{blob[2..]}"));

        AssertGcStopsWithGT2022(repo, blob);
    }

    [Fact]
    public void A_reflog_entry_whose_commit_is_gone_stops_gc_with_GT2022_although_git_only_warns()
    {
        var (repo, _) = RepositoryWithFirstVersion();
        StageThenResetAway(repo, V3);

        // What a lost commit leaves in the HEAD reflog; git rev-list --reflog skips it with a warning and succeeds.
        var head = repo.GitOk("rev-parse", "HEAD").Trim();
        File.AppendAllText(repo.Path(".git/logs/HEAD"), $"{head} 0badc0de0badc0de0badc0de0badc0de0badc0de Tests <t@t> 1700000000 +0000\tcommit: lost\n");

        AssertGcStopsWithGT2022(repo, "references pruned commits");
    }

    [Fact]
    public void Invalid_grace_periods_are_refused_and_delete_nothing()
    {
        var (repo, _) = RepositoryWithFirstVersion();
        StageThenResetAway(repo, V3);
        var before = repo.StoredObjects();

        var badOption = repo.Theta("gc", "--prune=whenever");
        Assert.Equal(2, badOption.ExitCode);
        Assert.Contains("error GT2010: --prune='whenever'", badOption.Error);

        repo.GitOk("config", "theta.gcPruneExpire", "whenever");
        var badConfig = repo.Theta("gc");
        Assert.Equal(2, badConfig.ExitCode);
        Assert.Contains("error GT2014: git config theta.gcPruneExpire", badConfig.Error);
        Assert.Equal(before.Order(), repo.StoredObjects().Order());
    }

    [Fact]
    public void Objects_staged_in_a_linked_worktree_survive_gc_run_from_the_main_one()
    {
        var (repo, committed) = RepositoryWithFirstVersion();
        repo.GitOk("worktree", "add", "-q", "-b", "linked", sandbox.Path("linked"));
        var linked = new GitRepo(sandbox, sandbox.Path("linked"));
        var staged = ObjectsAddedBy(repo, () => Stage(linked, V2));

        AssertKeptOnlyWhileReferenced(repo, staged, whileKept: null, dropReference: () => linked.GitOk("reset", "-q"), committed);
    }

    [Fact]
    public void Gc_collects_the_store_lfs_storage_names_and_warns_that_it_may_be_shared()
    {
        Sandbox.RequireGitLfs();
        var repo = sandbox.InitRepository();
        var store = sandbox.Path("elsewhere");
        repo.GitOk("config", "lfs.storage", store);
        repo.ThetaOk("install");
        repo.ThetaOk("track", Model);
        CommitVersion(repo, V1);
        var objects = Path.Combine(store, "theta", "objects");
        HashSet<string> Stored() => Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)!).ToHashSet();
        var committed = Stored();
        Stage(repo, V3);
        var abandoned = Stored().Except(committed).Order(StringComparer.Ordinal).ToList();
        repo.GitOk("reset", "-q", "--hard");
        Assert.NotEmpty(abandoned);
        Assert.Empty(repo.StoredObjects());

        var gc = repo.Theta("gc", "--prune=now", "--verbose").EnsureSuccess("gc");

        Assert.Equal(abandoned, Listed(gc.Output, "removed"));
        Assert.Equal(committed.Order(), Stored().Order());
        Assert.Contains($"git-theta: warning: lfs.storage puts the object store outside this repository ({store})", gc.Error);
    }

    [Fact]
    public void In_a_shallow_clone_gc_keeps_what_the_present_history_needs_and_removes_the_rest()
    {
        var (repo, remote) = RepositoryWithRemote();
        CommitVersion(repo, V1);
        CommitVersion(repo, V2);
        repo.GitOk("push", "-q", "origin", "main");
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", "--depth", "1", "file://" + remote.Directory, "shallow").EnsureSuccess("shallow clone");
        var shallow = new GitRepo(sandbox, sandbox.Path("shallow"));
        var checkedOut = shallow.StoredObjects();
        var abandoned = StageThenResetAway(shallow, V3);

        var gc = shallow.ThetaOk("gc", "--prune=now", "--verbose");

        Assert.Equal(abandoned.Order(), Listed(gc, "removed"));
        Assert.Equal(checkedOut.Order(), shallow.StoredObjects().Order());
        File.Delete(shallow.Path(Model));
        Directory.Move(remote.Directory, remote.Directory + ".gone");
        shallow.GitOk("checkout", "--", Model);
        Assert.Equal(V2, shallow.Read(Model));
    }

    [Fact]
    public void In_a_bare_remote_gc_removes_the_objects_of_force_pushed_away_commits()
    {
        var (repo, remote) = RepositoryWithRemote();
        CommitVersion(repo, V1);
        repo.GitOk("push", "-q", "origin", "main");
        var first = RemoteObjects(remote);
        CommitVersion(repo, V2);
        repo.GitOk("push", "-q", "origin", "main");
        var secondOnly = RemoteObjects(remote).Except(first).ToList();
        Assert.NotEmpty(secondOnly);

        repo.GitOk("push", "-q", "--force", "origin", "HEAD~1:main");
        var gc = sandbox.Theta(remote.Directory, "gc", "--prune=now", "--verbose").EnsureSuccess("gc in the bare remote");

        Assert.Equal(secondOnly.Order(), Listed(gc.Output, "removed"));
        Assert.Equal(first.Order(), RemoteObjects(remote).Order());
    }

    /// <summary>A repository with git-theta installed and <see cref="V1"/> committed, and the objects it stored.</summary>
    private (GitRepo Repo, HashSet<string> Committed) RepositoryWithFirstVersion()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitVersion(repo, V1);
        return (repo, repo.StoredObjects());
    }

    /// <summary>A repository with git-theta installed and an empty bare repository as its remote "origin".</summary>
    private (GitRepo Repo, GitRepo Remote) RepositoryWithRemote()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var remote = sandbox.InitBare();
        repo.GitOk("remote", "add", "origin", remote.Directory);
        return (repo, remote);
    }

    private static void Stage(GitRepo repo, byte[] checkpoint)
    {
        repo.Write(Model, checkpoint);
        repo.GitOk("add", Model);
    }

    /// <summary>gc without a grace period fails with one GT2022 line naming the cause and leaves the store as it was.</summary>
    private static void AssertGcStopsWithGT2022(GitRepo repo, string cause)
    {
        var before = repo.StoredObjects();

        var gc = repo.Theta("gc", "--prune=now");

        Assert.Equal(7, gc.ExitCode);
        var line = Assert.Single(gc.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("git-theta: error GT2022: ", line);
        Assert.Contains(cause, line);
        Assert.Contains("nothing was deleted", line);
        Assert.Equal(before.Order(), repo.StoredObjects().Order());
    }

    /// <summary>Writes the checkpoint, stages and commits it; returns the commit.</summary>
    private static string CommitVersion(GitRepo repo, byte[] checkpoint)
    {
        repo.Write(Model, checkpoint);
        repo.GitOk("add", ".gitattributes", Model);
        return repo.Commit("version " + Guid.NewGuid().ToString("N")[..6]);
    }

    /// <summary>Stages a version, then throws it away with git reset --hard; returns the objects only it needed, sorted.</summary>
    private static List<string> StageThenResetAway(GitRepo repo, byte[] checkpoint)
    {
        var added = ObjectsAddedBy(repo, () => Stage(repo, checkpoint));
        repo.GitOk("reset", "-q", "--hard");
        return added;
    }

    /// <summary>The objects <paramref name="action"/> stored, sorted; never none, or the test would prove nothing.</summary>
    private static List<string> ObjectsAddedBy(GitRepo repo, Action action)
    {
        var before = repo.StoredObjects();
        action();
        var added = repo.StoredObjects().Except(before).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(added);
        return added;
    }

    /// <summary>
    /// gc without a grace period keeps <paramref name="referencedOnlyThere"/> while its one reference exists, and once
    /// <paramref name="dropReference"/> removed it, leaves exactly <paramref name="remaining"/>.
    /// </summary>
    private static void AssertKeptOnlyWhileReferenced(GitRepo repo, IReadOnlyCollection<string> referencedOnlyThere, Action? whileKept, Action dropReference, IEnumerable<string> remaining)
    {
        repo.ThetaOk("gc", "--prune=now");
        Assert.Subset(repo.StoredObjects(), referencedOnlyThere.ToHashSet());
        whileKept?.Invoke();

        dropReference();
        repo.ThetaOk("gc", "--prune=now");
        Assert.Equal(remaining.Order(), repo.StoredObjects().Order());
    }

    /// <summary>The oids of the verbose lines "<verb> <oid> (<size>)", sorted.</summary>
    private static List<string> Listed(string output, string verb) =>
        Regex.Matches(output, $"^{verb} ([0-9a-f]{{64}}) \\(", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();

    private static string ObjectPath(GitRepo repo, string oid) => repo.ObjectFile(oid);

    private static HashSet<string> RemoteObjects(GitRepo remote) =>
        Directory.EnumerateFiles(Path.Combine(remote.Directory, "lfs", "objects"), "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)!).ToHashSet();
}
