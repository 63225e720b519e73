using System.Text;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

public sealed class BadInputTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Theory]
    [InlineData("truncated", "GT2003")]
    [InlineData("huge-header", "GT2002")]
    [InlineData("overlapping", "GT2002")]
    [InlineData("not-a-checkpoint", "GT2002")]
    public void A_bad_checkpoint_fails_git_add_and_leaves_index_and_object_store_unchanged(string kind, string code)
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.Write("model.safetensors", Checkpoint.Random(4).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        var index = repo.GitOk("ls-files", "-s", "--debug");
        var objects = repo.StoredObjects();

        var good = Checkpoint.Random(4).Add(0, 1e-2f).Add(1, 1e-2f).ToBytes();
        repo.Write("model.safetensors", kind switch
        {
            "truncated" => good[..(good.Length - 100)],
            "huge-header" => BitConverter.GetBytes(1L << 40).Concat(good[8..]).ToArray(),
            "overlapping" => Overlapping(good),
            _ => Encoding.UTF8.GetBytes("just some text\n"),
        });

        var add = repo.Git("add", "model.safetensors");
        Assert.NotEqual(0, add.ExitCode);
        var errors = add.Error.Split('\n').Where(l => l.StartsWith("git-theta: error", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains(code, errors[0]);
        Assert.Contains("model.safetensors", errors[0]);
        Assert.DoesNotContain("   at ", add.Error);
        Assert.Equal(index, repo.GitOk("ls-files", "-s", "--debug"));
        Assert.Equal(objects, repo.StoredObjects());
        Assert.Empty(repo.TempFiles());
    }

    [Fact]
    public void A_file_of_no_known_format_is_refused_with_the_list_of_formats()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.bin");
        repo.Write("model.bin", Encoding.UTF8.GetBytes("not a checkpoint at all\n"));
        var add = repo.Git("add", "model.bin");
        Assert.NotEqual(0, add.ExitCode);
        var error = add.Error.Split('\n').Single(l => l.StartsWith("git-theta: error", StringComparison.Ordinal));
        Assert.Contains("GT2005", error);
        Assert.Contains("Supported formats: safetensors", error);
        Assert.Equal(string.Empty, repo.GitOk("ls-files"));
    }

    [Fact]
    public void Metadata_passes_through_clean_unchanged()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors", "copy.safetensors");
        repo.Write("model.safetensors", Checkpoint.Random(2).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        var metadata = repo.Show("HEAD:model.safetensors");
        repo.Write("copy.safetensors", Encoding.UTF8.GetBytes(metadata));
        repo.GitOk("add", "copy.safetensors");
        Assert.Equal(repo.GitOk("rev-parse", "HEAD:model.safetensors"), repo.GitOk("rev-parse", ":copy.safetensors"));
    }

    [Fact]
    public void Content_that_is_not_metadata_passes_through_smudge_unchanged()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        var legacy = Checkpoint.Random(2).ToBytes();
        repo.Write("old.safetensors", legacy);
        repo.GitOk("add", "old.safetensors");
        repo.Commit("committed before tracking");
        repo.ThetaOk("track", "old.safetensors");
        File.Delete(repo.Path("old.safetensors"));
        repo.GitOk("checkout", "--", "old.safetensors");
        Assert.Equal(legacy, repo.Read("old.safetensors"));
    }

    [Fact]
    public void Errors_are_one_line_with_a_code_and_debug_adds_the_stack_trace()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        var plain = repo.Theta("add", "missing.safetensors");
        Assert.Equal(2, plain.ExitCode); // Usage: docs/commands.md#add
        Assert.Matches("^git-theta: error GT2010: .+\\n$", plain.Error);

        var debug = sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "clean", "x.bin" }, repo.Directory, Encoding.UTF8.GetBytes("garbage"), new Dictionary<string, string?> { ["GIT_THETA_LOG_LEVEL"] = "debug" });
        Assert.Equal(4, debug.ExitCode); // InvalidInput: docs/commands.md#clean
        Assert.StartsWith("git-theta: error GT2005: ", debug.Error);
        Assert.Contains("   at ", debug.Error);
    }

    private static byte[] Overlapping(byte[] good)
    {
        var length = (int)BitConverter.ToInt64(good, 0);
        var header = Encoding.UTF8.GetString(good, 8, length);
        var broken = header.Replace("\"data_offsets\":[2048,4096]", "\"data_offsets\":[1024,3072]");
        Assert.NotEqual(header, broken);
        var bytes = Encoding.UTF8.GetBytes(broken);
        return BitConverter.GetBytes((long)bytes.Length).Concat(bytes).Concat(good[(8 + length)..]).ToArray();
    }

    public void Dispose() => sandbox.Dispose();
}
