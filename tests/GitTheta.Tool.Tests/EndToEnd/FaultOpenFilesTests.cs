using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Issue 11 item 9: open files stay bounded (a few per worker), not one per new object. A checkpoint of 2,000 small
/// tensors is added under <c>ulimit -n 256</c>: it must be stored, verify and check out bit for bit, instead of failing
/// with "Too many open files".
/// </summary>
public sealed class FaultOpenFilesTests : IDisposable
{
    private const int Tensors = 2000;

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void More_new_tensors_than_the_open_file_limit_add_and_check_out()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "many.safetensors");
        var groups = Enumerable.Range(0, Tensors).Select(i => ($"layer.{i:D5}", F32Checkpoint.Random(i, count: 4))).ToArray();
        var checkpoint = F32Checkpoint.Write(groups);
        repo.Write("many.safetensors", checkpoint);

        var add = HostileMeasuredRun.Run(sandbox, repo.Directory, "sh", new[] { "-c", "ulimit -n 256 && exec git add many.safetensors" });

        Assert.False(add.TimedOut, add.Describe());
        Assert.True(add.Result.ExitCode == 0, $"git add of {Tensors} tensors under ulimit -n 256 failed:\n{add.Describe()}");
        var metadata = repo.Show(":many.safetensors");
        Assert.Contains($"\"layer.{Tensors - 1:D5}\"", metadata, StringComparison.Ordinal);
        repo.Commit("many tensors");
        var verify = repo.Theta("verify");
        Assert.True(verify.ExitCode == 0, $"git theta verify fails:\n{verify.Output}\n{verify.Error}");
        File.Delete(repo.Path("many.safetensors"));
        var checkout = sandbox.Run("sh", new[] { "-c", "ulimit -n 256 && exec git checkout -- many.safetensors" }, repo.Directory);
        Assert.True(checkout.ExitCode == 0, $"git checkout under ulimit -n 256 failed:\n{checkout.Error}");
        Assert.Equal(checkpoint, repo.Read("many.safetensors"));
    }
}
