using System.Text;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Two cleans at once into one object store (two <c>git-theta clean</c> processes, as two <c>git add</c>s in two
/// worktrees would run), of checkpoints that share half their groups, so both write the same objects at the same
/// time: both succeed, and the store verifies and gives both checkpoints back bit for bit.
/// </summary>
public sealed class FaultConcurrencyTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public async Task Two_concurrent_cleans_into_one_store_both_succeed_and_the_store_verifies()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "a.safetensors", "b.safetensors");
        var tool = Path.Combine(Sandbox.ToolDirectory, "git-theta");

        // Each round brings new values, so both cleans write every shared object at the same time.
        for (var round = 0; round < 3; round++)
        {
            FaultCheckpoint.Write(sandbox.Path("a.safetensors"), groups: 32, groupBytes: 1 << 20, seed: 11 + (2 * round), sharedGroups: 16, sharedSeed: round);
            FaultCheckpoint.Write(sandbox.Path("b.safetensors"), groups: 32, groupBytes: 1 << 20, seed: 12 + (2 * round), sharedGroups: 16, sharedSeed: round);
            var a = File.ReadAllBytes(sandbox.Path("a.safetensors"));
            var b = File.ReadAllBytes(sandbox.Path("b.safetensors"));
            using var start = new Barrier(2);
            var cleanA = Task.Run(() => { start.SignalAndWait(); return sandbox.Run(tool, new[] { "clean", "a.safetensors" }, repo.Directory, a); });
            var cleanB = Task.Run(() => { start.SignalAndWait(); return sandbox.Run(tool, new[] { "clean", "b.safetensors" }, repo.Directory, b); });
            var resultA = await cleanA;
            var resultB = await cleanB;

            Assert.True(resultA.ExitCode == 0, $"round {round}: clean of a failed:\n{resultA.Error}");
            Assert.True(resultB.ExitCode == 0, $"round {round}: clean of b failed:\n{resultB.Error}");
            var half = HostileRepoState.HalfObjects(repo);
            Assert.True(half.Count == 0, $"round {round}: half-written objects: {string.Join(", ", half)}");
            Assert.Empty(HostileRepoState.TempFiles(repo));

            // What the cleans wrote is the metadata git would stage: stage it as it is (metadata passes through
            // clean), commit, and check the store against it.
            repo.Write("a.safetensors", Encoding.UTF8.GetBytes(resultA.Output));
            repo.Write("b.safetensors", Encoding.UTF8.GetBytes(resultB.Output));
            repo.GitOk("add", ".");
            repo.Commit($"round {round}");
            var verify = repo.Theta("verify");
            Assert.True(verify.ExitCode == 0, $"round {round}: git theta verify fails:\n{verify.Output}\n{verify.Error}");

            File.Delete(repo.Path("a.safetensors"));
            File.Delete(repo.Path("b.safetensors"));
            repo.GitOk("checkout", "--", "a.safetensors", "b.safetensors");
            Assert.True(a.AsSpan().SequenceEqual(repo.Read("a.safetensors")), $"round {round}: a does not check out bit for bit");
            Assert.True(b.AsSpan().SequenceEqual(repo.Read("b.safetensors")), $"round {round}: b does not check out bit for bit");
        }
    }
}
