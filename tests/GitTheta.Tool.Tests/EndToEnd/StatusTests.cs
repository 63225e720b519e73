using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary><c>git theta status</c> against real git: staged group counts, unstaged changes, and the problems it names.</summary>
public sealed class StatusTests : IDisposable
{
    private const string Model = "model.safetensors";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Status_counts_the_groups_of_a_staged_change_to_two_groups()
    {
        var repo = CommittedRepository(groups: 10);
        repo.Write(Model, Checkpoint.Random(10).Add(2, 1e-3f).Add(5, 1e-3f).ToBytes());
        repo.GitOk("add", Model);

        var status = repo.ThetaOk("status");
        Assert.Equal(
            new[]
            {
                "Changes to be committed (use 'git restore --staged <file>' to unstage):",
                "\tmodified:   model.safetensors (2 of 10 groups: 2 modified, 0 added, 0 removed)",
                string.Empty,
                "1 tracked checkpoint, 1 with changes to be committed",
            },
            Lines(status));
        Assert.Equal(new[] { "M  model.safetensors  staged: 2 modified, 0 added, 0 removed" }, Lines(repo.ThetaOk("status", "--short")));
    }

    [Fact]
    public void Status_counts_added_and_removed_groups_and_a_new_file()
    {
        var repo = CommittedRepository(groups: 4);
        repo.Write(Model, Checkpoint.Random(6).ToBytes());
        repo.Write("other.safetensors", Checkpoint.Random(3, seed: 7).ToBytes());
        repo.ThetaOk("track", "other.safetensors");
        repo.GitOk("add", ".");

        var status = Lines(repo.ThetaOk("status"));
        Assert.Contains("\tmodified:   model.safetensors (2 of 6 groups: 0 modified, 2 added, 0 removed)", status);
        Assert.Contains("\tnew file:   other.safetensors (3 groups)", status);
        Assert.Equal("2 tracked checkpoints, 2 with changes to be committed", status[^1]);
        Assert.Equal(
            new[] { "M  model.safetensors  staged: 0 modified, 2 added, 0 removed", "A  other.safetensors  staged: 0 modified, 3 added, 0 removed" },
            Lines(repo.ThetaOk("status", "-s")));
    }

    [Fact]
    public void Status_shows_a_modified_working_file_that_is_not_staged_and_counts_its_groups_only_when_asked()
    {
        var repo = CommittedRepository(groups: 10);
        repo.Write(Model, Checkpoint.Random(10).Add(3, 1e-3f).ToBytes());

        Assert.Equal(
            new[]
            {
                "Changes not staged for commit (use 'git add <file>' to stage them):",
                "\tmodified:   model.safetensors",
                string.Empty,
                "1 tracked checkpoint, no changes added to commit",
            },
            Lines(repo.ThetaOk("status")));
        Assert.Equal(new[] { " M model.safetensors" }, Lines(repo.ThetaOk("status", "--short")));
        Assert.Equal(new[] { " M model.safetensors  not staged: 1 modified, 0 added, 0 removed" }, Lines(repo.ThetaOk("status", "--short", "--groups")));
        Assert.Contains("\tmodified:   model.safetensors (1 of 10 groups: 1 modified, 0 added, 0 removed)", Lines(repo.ThetaOk("status", "--groups")));
    }

    [Fact]
    public void Status_shows_staged_and_further_unstaged_changes_of_one_file()
    {
        var repo = CommittedRepository(groups: 10);
        repo.Write(Model, Checkpoint.Random(10).Add(1, 1e-3f).ToBytes());
        repo.GitOk("add", Model);
        repo.Write(Model, Checkpoint.Random(10).Add(1, 1e-3f).Add(8, 1e-3f).Add(9, 1e-3f).ToBytes());

        Assert.Equal(
            new[] { "MM model.safetensors  staged: 1 modified, 0 added, 0 removed; not staged: 2 modified, 0 added, 0 removed" },
            Lines(repo.ThetaOk("status", "--short", "--groups")));
    }

    [Fact]
    public void A_clean_repository_has_nothing_to_commit()
    {
        var repo = CommittedRepository(groups: 3);

        Assert.Equal(new[] { "1 tracked checkpoint, nothing to commit, working tree clean" }, Lines(repo.ThetaOk("status")));
        Assert.Empty(Lines(repo.ThetaOk("status", "--short")));
    }

    [Fact]
    public void A_repository_without_tracked_checkpoints_says_so()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.Write("notes.txt", "x"u8.ToArray());
        repo.GitOk("add", ".");

        Assert.Equal(new[] { "no checkpoint is tracked by git-theta ('git theta track <file>' starts tracking one)" }, Lines(repo.ThetaOk("status")));
    }

    [Fact]
    public void Status_reports_a_checkpoint_deleted_from_the_work_tree()
    {
        var repo = CommittedRepository(groups: 3);
        File.Delete(repo.Path(Model));

        Assert.Contains("\tdeleted:    model.safetensors", Lines(repo.ThetaOk("status")));
        Assert.Equal(new[] { " D model.safetensors" }, Lines(repo.ThetaOk("status", "-s")));
    }

    [Fact]
    public void A_clone_made_without_the_filter_reports_metadata_in_the_work_tree_and_the_objects_it_lacks()
    {
        var repo = CommittedRepository(groups: 3);

        // git-theta is configured in the first repository only (install's default scope), so the clone checks out metadata.
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        sandbox.Git(sandbox.Root, "clone", "-q", repo.Directory, clone.Directory).EnsureSuccess("git clone");
        Assert.StartsWith("{", System.Text.Encoding.UTF8.GetString(clone.Read(Model)), StringComparison.Ordinal);

        var status = clone.Theta("status");
        Assert.Equal(0, status.ExitCode);
        Assert.Equal(
            new[]
            {
                "Checked out as git-theta metadata, not as the checkpoint (run 'git theta install' to rebuild them):",
                "\tmodel.safetensors",
                string.Empty,
                "Objects missing from the local store (run 'git theta fetch'):",
                "\tmodel.safetensors: 4 of 4 objects",
                string.Empty,
                "1 tracked checkpoint, nothing to commit, working tree clean",
            },
            Lines(status.Output));
        Assert.Equal(
            new[] { "   model.safetensors  metadata in the work tree (git theta install); 4 of 4 objects missing (git theta fetch)" },
            Lines(clone.ThetaOk("status", "--short")));

        // Without the filter, git add stages the checkpoint's own bytes.
        clone.Write(Model, Checkpoint.Random(3).Add(0, 1e-3f).ToBytes());
        clone.GitOk("add", Model);
        Assert.Equal(
            new[] { "M  model.safetensors  staged as the file itself, not metadata (git theta install, then git add)" },
            Lines(clone.ThetaOk("status", "--short")));
        Assert.Contains("Staged as the file itself, not as git-theta metadata (run 'git theta install', then 'git add' them again):", Lines(clone.ThetaOk("status")));
    }

    [Fact]
    public void Missing_objects_are_counted_after_the_local_store_is_deleted()
    {
        var repo = CommittedRepository(groups: 10);
        repo.DeleteAllObjects();

        // 10 groups and the container; the working file's stat data is unchanged, so git runs no clean filter to store them again.
        Assert.Equal(new[] { "   model.safetensors  11 of 11 objects missing (git theta fetch)" }, Lines(repo.ThetaOk("status", "--short")));
        Assert.Contains("\tmodel.safetensors: 11 of 11 objects", Lines(repo.ThetaOk("status")));
        Assert.False(Directory.Exists(repo.LfsObjects));
    }

    [Fact]
    public void An_unmerged_checkpoint_is_reported_and_show_names_its_stages()
    {
        var repo = CommittedRepository(groups: 3);
        repo.GitOk("checkout", "-q", "-b", "side");
        repo.Write(Model, Checkpoint.Random(3).Add(0, 1e-3f).ToBytes());
        repo.GitOk("commit", "-qam", "side");
        repo.GitOk("checkout", "-q", "main");
        repo.Write(Model, Checkpoint.Random(3).Add(0, 2e-3f).ToBytes());
        repo.GitOk("commit", "-qam", "main");
        Assert.NotEqual(0, repo.Git("merge", "side").ExitCode);

        Assert.Equal(new[] { "UU model.safetensors" }, Lines(repo.ThetaOk("status", "-s")));
        var status = Lines(repo.ThetaOk("status"));
        Assert.Contains("\tboth modified:  model.safetensors", status);
        Assert.Equal("1 tracked checkpoint, 1 unmerged", status[^1]);

        var show = repo.Theta("show", Model);
        Assert.Equal(2, show.ExitCode);
        Assert.Contains("GT2020: 'model.safetensors' is unmerged in the index; name one side: ':1:model.safetensors' (base)", show.Error, StringComparison.Ordinal);
        Assert.StartsWith("'model.safetensors' in stage 3 of the index, blob ", repo.ThetaOk("show", $":3:{Model}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Paths_limit_the_report_to_the_checkpoints_they_name()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "a.safetensors", "models/b.safetensors");
        WriteOld(repo, "a.safetensors", Checkpoint.Random(2).ToBytes());
        WriteOld(repo, "models/b.safetensors", Checkpoint.Random(2, seed: 3).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.Write("a.safetensors", Checkpoint.Random(2).Add(0, 1e-3f).ToBytes());
        repo.Write("models/b.safetensors", Checkpoint.Random(2, seed: 3).Add(0, 1e-3f).ToBytes());

        Assert.Equal(new[] { " M a.safetensors", " M models/b.safetensors" }, Lines(repo.ThetaOk("status", "-s")));
        Assert.Equal(new[] { " M models/b.safetensors" }, Lines(repo.ThetaOk("status", "-s", "models")));
        Assert.Equal(new[] { "no checkpoint tracked by git-theta matches the given paths" }, Lines(repo.ThetaOk("status", "nothing-here")));

        // From a subfolder, paths are relative to it, as for git status; output names files from the top.
        var fromSubfolder = sandbox.Theta(repo.Path("models"), "status", "-s", "b.safetensors").EnsureSuccess("git theta status");
        Assert.Equal(new[] { " M models/b.safetensors" }, Lines(fromSubfolder.Output));
    }

    [Fact]
    public void Status_outside_a_repository_is_GT2001()
    {
        Directory.CreateDirectory(sandbox.Path("plain"));
        var result = sandbox.Theta(sandbox.Path("plain"), "status");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("git-theta: error GT2001: ", result.Error, StringComparison.Ordinal);
        Assert.Single(Lines(result.Error));
    }

    /// <summary>A repository with one committed checkpoint of the given number of groups.</summary>
    private GitRepo CommittedRepository(int groups)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        WriteOld(repo, Model, Checkpoint.Random(groups).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        return repo;
    }

    /// <summary>
    /// Writes a file dated a minute ago, so the index that records it later is not "racily clean" and git status trusts
    /// its stat data instead of running the clean filter again.
    /// </summary>
    private static void WriteOld(GitRepo repo, string path, byte[] bytes)
    {
        repo.Write(path, bytes);
        File.SetLastWriteTimeUtc(repo.Path(path), DateTime.UtcNow.AddMinutes(-1));
    }

    private static string[] Lines(string output)
    {
        var text = output.TrimEnd('\n');
        return text.Length == 0 ? Array.Empty<string>() : text.Split('\n');
    }
}
