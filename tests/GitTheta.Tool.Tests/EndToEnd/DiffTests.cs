using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class DiffTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Git_diff_between_commits_names_exactly_the_modified_groups_without_reading_any_object()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.Write("model.safetensors", Checkpoint.Random(10).ToBytes());
        repo.GitOk("add", ".");
        repo.GitOk("tag", "v1", repo.Commit("v1"));
        repo.Write("model.safetensors", Checkpoint.Random(10).Add(2, 1e-3f).Add(5, 1e-3f).ToBytes());
        repo.GitOk("add", ".");
        repo.GitOk("tag", "v2", repo.Commit("v2"));

        // The diff works from metadata alone: with the object store gone it must still answer.
        repo.DeleteAllObjects();
        var diff = repo.GitOk("diff", "v1", "v2");
        var modified = diff.Split('\n').Where(l => l.StartsWith("modified", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, modified.Count);
        Assert.Contains(modified, l => l.Contains("layers.2.weight") && l.Contains("F32 [32, 16]"));
        Assert.Contains(modified, l => l.Contains("layers.5.weight"));
        Assert.Contains("2 of 10 parameter groups differ: 2 modified, 0 added, 0 removed", diff);
        Assert.DoesNotContain("\u001b[", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Git_diff_of_the_working_file_reports_added_and_removed_groups()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.Write("model.safetensors", Checkpoint.Random(3).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.Write("model.safetensors", Checkpoint.Random(5).ToBytes());
        var diff = repo.GitOk("diff");
        Assert.Contains("added    layers.3.weight", diff);
        Assert.Contains("added    layers.4.weight", diff);
        Assert.Contains("2 of 5 parameter groups differ: 0 modified, 2 added, 0 removed", diff);

        repo.Write("model.safetensors", Checkpoint.Random(2).ToBytes());
        Assert.Contains("removed  layers.2.weight", repo.GitOk("diff"));
    }

    public void Dispose() => sandbox.Dispose();
}
