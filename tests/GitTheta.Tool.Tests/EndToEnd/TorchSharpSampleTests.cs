using System.Text.Json;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>samples/TorchSharpFineTune with real TorchSharp, real git, git-lfs and the built git-theta.</summary>
public sealed class TorchSharpSampleTests : IDisposable
{
    private const string Checkpoint = "models/classifier.dat";
    private readonly Sandbox sandbox = new(inlineObjects: true);

    [Fact]
    public void The_sample_trains_commits_fine_tunes_one_layer_and_loads_the_first_revision_back()
    {
        Sandbox.RequireGitLfs();
        var repository = sandbox.Path("finetune");

        var run = sandbox.Run("dotnet", new[] { TorchSharpNativeRuntime.SampleAssembly, repository }, sandbox.Root, extra: new Dictionary<string, string?>(TorchSharpNativeRuntime.Environment));

        Assert.True(run.ExitCode == 0, $"the sample failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        Assert.Contains("trained: 6 parameter groups", run.Output);
        Assert.Contains("fine-tuned the head: 2 of 6 groups changed (head.bias, head.weight)", run.Output);
        Assert.Contains("6 loaded, 0 missing, 0 unexpected; outputs match the trained model", run.Output);
        Assert.EndsWith("ok\n", run.Output);
        Assert.DoesNotContain("not found", run.Error);

        // What the sample reports, checked from git: a TorchSharp checkpoint, and a commit that changed only the head.
        var repo = new GitRepo(sandbox, repository);
        var before = JsonDocument.Parse(repo.Show($"HEAD~1:{Checkpoint}")).RootElement;
        var after = JsonDocument.Parse(repo.Show($"HEAD:{Checkpoint}")).RootElement;
        Assert.Equal("torchsharp", after.GetProperty("checkpoint").GetProperty("type").GetString());
        var changed = after.GetProperty("parameters").EnumerateObject()
            .Where(p => p.Value.GetProperty("object").GetProperty("oid").GetString() != before.GetProperty("parameters").GetProperty(p.Name).GetProperty("object").GetProperty("oid").GetString())
            .Select(p => p.Name)
            .ToList();
        Assert.Equal(new[] { "head.bias", "head.weight" }, changed.Order(StringComparer.Ordinal));
        Assert.Contains("2 of 6 parameter groups differ: 2 modified, 0 added, 0 removed", repo.GitOk("diff", "HEAD~1", "HEAD", "--", Checkpoint));
    }

    public void Dispose() => sandbox.Dispose();
}
