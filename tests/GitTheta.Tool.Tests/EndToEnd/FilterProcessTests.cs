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

    public void Dispose() => sandbox.Dispose();
}
