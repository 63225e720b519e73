using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class FilterProcessTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void One_git_add_of_three_checkpoints_runs_through_one_filter_process()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "*.safetensors");
        for (var i = 0; i < 3; i++)
        {
            repo.Write($"m{i}.safetensors", Checkpoint.Random(3, seed: i + 10).ToBytes());
        }

        var add = sandbox.Run("git", new[] { "add", "." }, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_TRACE"] = "1" }).EnsureSuccess("git add");
        var starts = add.Error.Split('\n').Count(l => l.Contains("run_command") && l.Contains("filter-process"));
        Assert.Equal(1, starts);
        foreach (var i in new[] { 0, 1, 2 })
        {
            Assert.Contains("git-theta/1", repo.GitOk("show", $":m{i}.safetensors"));
        }
    }

    [Fact]
    public void The_single_shot_clean_and_smudge_commands_work_when_the_process_filter_is_off()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.GitOk("config", "--unset", "filter.theta.process");
        var bytes = Checkpoint.Random(4).ToBytes();
        repo.Write("model.safetensors", bytes);
        repo.GitOk("add", ".");
        var commit = repo.Commit("v1");
        Assert.Contains("git-theta/1", repo.Show("HEAD:model.safetensors"));
        File.Delete(repo.Path("model.safetensors"));
        repo.GitOk("checkout", commit, "--", "model.safetensors");
        Assert.Equal(bytes, repo.Read("model.safetensors"));
    }

    [Fact]
    public void A_checkout_and_a_clone_smudge_ahead_through_git_s_delay_and_write_every_file_byte_identical()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "models/*.safetensors");
        var remote = sandbox.InitBare();
        var files = Enumerable.Range(0, 12).ToDictionary(i => $"models/m{i:D2}.safetensors", i => Checkpoint.Random(2, seed: i + 40).ToBytes());
        foreach (var (path, bytes) in files)
        {
            repo.Write(path, bytes);
        }

        repo.GitOk("add", ".");
        repo.Commit("models");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.Git("push", "-u", "origin", "main").EnsureSuccess("push");

        Directory.Delete(repo.Path("models"), recursive: true);
        var trace = sandbox.Path("checkout.trace");
        sandbox.Run("git", new[] { "checkout", "--", "models" }, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_TRACE_PACKET"] = trace }).EnsureSuccess("git checkout");
        Assert.All(files, f => Assert.Equal(f.Value, repo.Read(f.Key)));
        var packets = File.ReadAllText(trace);
        Assert.Equal(files.Count, packets.Split("status=delayed").Length - 1);
        Assert.Contains("git< capability=delay", packets);
        Assert.Contains("command=list_available_blobs", packets);
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));

        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        var cloneTrace = sandbox.Path("clone.trace");
        var commandTrace = sandbox.Path("clone-commands.trace");
        sandbox.Run("git", new[] { "clone", "-q", remote.Directory, "clone" }, sandbox.Root, extra: new Dictionary<string, string?> { ["GIT_TRACE_PACKET"] = cloneTrace, ["GIT_TRACE"] = commandTrace }).EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        Assert.All(files, f => Assert.Equal(f.Value, clone.Read(f.Key)));
        Assert.Contains("status=delayed", File.ReadAllText(cloneTrace));

        // Every object came from the remote, yet git-lfs started once, not once per file (the first delayed file waits
        // for git to send the rest); and it was asked to delay, so it downloads in batches.
        var lfsStarts = File.ReadLines(commandTrace).Count(l => l.Contains("exec: git-lfs filter-process", StringComparison.Ordinal));
        Assert.Equal(1, lfsStarts);
        var batches = File.ReadLines(commandTrace).Where(l => l.Contains("tq: sending batch of size ", StringComparison.Ordinal)).ToList();
        Assert.Contains(batches, l => !l.EndsWith("sending batch of size 1", StringComparison.Ordinal));
        Assert.Equal(string.Empty, clone.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void Smudging_ahead_off_checks_out_without_delay_and_a_missing_object_fails_the_same_either_way()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "models/*.safetensors");
        var files = Enumerable.Range(0, 4).ToDictionary(i => $"models/m{i}.safetensors", i => Checkpoint.Random(2, seed: i + 60).ToBytes());
        foreach (var (path, bytes) in files)
        {
            repo.Write(path, bytes);
        }

        repo.GitOk("add", ".");
        repo.Commit("models");

        repo.GitOk("config", "theta.smudgeAheadBytes", "0");
        Directory.Delete(repo.Path("models"), recursive: true);
        var trace = sandbox.Path("off.trace");
        sandbox.Run("git", new[] { "checkout", "--", "models" }, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_TRACE_PACKET"] = trace }).EnsureSuccess("git checkout");
        Assert.All(files, f => Assert.Equal(f.Value, repo.Read(f.Key)));
        Assert.DoesNotContain("git< capability=delay", File.ReadAllText(trace));
        Assert.DoesNotContain("status=delayed", File.ReadAllText(trace));

        // The third file's weight leaves the store: both ways, git fails that file with git-theta's GT2007 line.
        var weight = System.Text.RegularExpressions.Regex.Match(repo.Show("HEAD:models/m2.safetensors"), "\"oid\": \"([0-9a-f]{64})\"", System.Text.RegularExpressions.RegexOptions.RightToLeft).Groups[1].Value;
        var stored = Directory.EnumerateFiles(repo.Path(".git/lfs"), weight, SearchOption.AllDirectories).Single();
        File.Move(stored, sandbox.Path("held-object"));
        foreach (var ahead in new[] { "0", "64m" })
        {
            repo.GitOk("config", "theta.smudgeAheadBytes", ahead);
            Directory.Delete(repo.Path("models"), recursive: true);
            var failed = repo.Git("checkout", "--", "models");
            Assert.NotEqual(0, failed.ExitCode);
            Assert.Contains("GT2007", failed.Error);
            Assert.Contains("models/m2.safetensors", failed.Error);
            Assert.False(File.Exists(repo.Path("models/m2.safetensors")));
        }

        File.Move(sandbox.Path("held-object"), stored);
        Directory.Delete(repo.Path("models"), recursive: true);
        repo.GitOk("checkout", "--", "models");
        Assert.All(files, f => Assert.Equal(f.Value, repo.Read(f.Key)));
    }

    public void Dispose() => sandbox.Dispose();
}
