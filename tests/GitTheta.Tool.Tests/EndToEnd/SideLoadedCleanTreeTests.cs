using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// After a side-loaded add the working file holds the staged value, so git finds it unmodified however often it
/// re-checks it (racy timestamps, a touch), and a checkout of another branch is never refused.
/// </summary>
public sealed class SideLoadedCleanTreeTests : IDisposable
{
    private const string Model = "model.safetensors";
    private const string Weight = "layers.0.weight";
    private const string Bias = "layers.0.bias";
    private const int Rounds = 20;

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Theory]
    [InlineData("ia3")]
    [InlineData("low-rank")]
    public void The_tree_is_clean_after_every_side_loaded_add_and_after_a_touch(string type)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, new TensorFile().Add(Weight, "F32", new long[] { 8, 16 }, TensorFile.Random(1, 128, 0.5)).Add(Bias, "F32", new long[] { 8 }, TensorFile.Random(2, 8)).ToBytes());
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");
        repo.GitOk("branch", "other");
        var data = sandbox.Path("update.safetensors");

        for (var round = 0; round < Rounds; round++)
        {
            var before = repo.Read(Model);
            File.WriteAllBytes(data, UpdateData(type, round).ToBytes());

            var added = repo.Theta("add", Model, "--update-type", type, "--update-data", data);

            Assert.True(added.ExitCode == 0, added.Error);
            Assert.Contains("file rewritten with the staged value", added.Error);
            Assert.NotEqual(before, repo.Read(Model));
            Assert.Equal($"M  {Model}\n", repo.GitOk("status", "--porcelain"));
            File.SetLastWriteTimeUtc(repo.Path(Model), DateTime.UtcNow.AddSeconds(round + 1));
            Assert.Equal($"M  {Model}\n", repo.GitOk("status", "--porcelain"));
        }

        // Each round replaced the staged update (all build on HEAD); the last one commits and checks out cleanly.
        var staged = repo.Read(Model);
        repo.Commit("update");
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        repo.GitOk("checkout", "-q", "other");
        repo.GitOk("checkout", "-q", "-");
        Assert.Equal(staged, repo.Read(Model));
    }

    private static TensorFile UpdateData(string type, int round) => type == "ia3"
        ? new TensorFile().Add(Weight + "/ia3", "F32", new long[] { 1, 16 }, TensorFile.Random(100 + round, 16, 0.25).Select(s => 1 + s).ToArray())
        : new TensorFile().Add(Weight + "/R", "F32", new long[] { 8, 1 }, TensorFile.Random(200 + round, 8, 0.25)).Add(Weight + "/C", "F32", new long[] { 1, 16 }, TensorFile.Random(300 + round, 16, 0.25));
}
