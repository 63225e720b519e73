using System.Text;
using System.Text.Json;
using GitTheta.Tool.Tests.EndToEnd;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary>
/// <c>git theta ls-files</c> and its git-lfs-style options, on a repository with a checked-out checkpoint, one whose
/// working file is still metadata, and one that exists only in history.
/// </summary>
public sealed class LsFilesTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Ls_files_lists_the_tracked_checkpoints_of_the_index_only()
    {
        var repo = Prepared();

        var result = repo.Theta("ls-files");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("a.safetensors\nmodels/b.safetensors\n", result.Output);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void Long_shows_the_full_blob_id_and_whether_the_working_file_is_the_checkpoint()
    {
        var repo = Prepared();
        var a = repo.GitOk("rev-parse", ":a.safetensors").Trim();
        var b = repo.GitOk("rev-parse", ":models/b.safetensors").Trim();

        var full = repo.Theta("ls-files", "-l");
        var sized = repo.Theta("ls-files", "-s");
        var both = repo.Theta("ls-files", "--long", "--size");

        Assert.Equal(0, full.ExitCode);
        Assert.Equal($"{a} * a.safetensors\n{b} - models/b.safetensors\n", full.Output);
        Assert.Equal(0, sized.ExitCode);
        Assert.Equal($"{a[..10]} * a.safetensors (6.0 KiB, 3 groups)\n{b[..10]} - models/b.safetensors (10.0 KiB, 5 groups)\n", sized.Output);
        Assert.Equal($"{a} * a.safetensors (6.0 KiB, 3 groups)\n{b} - models/b.safetensors (10.0 KiB, 5 groups)\n", both.Output);
    }

    [Fact]
    public void Json_holds_name_oid_checkout_format_size_and_groups()
    {
        var repo = Prepared();

        var result = repo.Theta("ls-files", "--json");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Output);
        var files = document.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal(new[] { "name", "oid", "checkout", "format", "size", "groups" }, files[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("a.safetensors", files[0].GetProperty("name").GetString());
        Assert.Equal(repo.GitOk("rev-parse", ":a.safetensors").Trim(), files[0].GetProperty("oid").GetString());
        Assert.True(files[0].GetProperty("checkout").GetBoolean());
        Assert.Equal("safetensors", files[0].GetProperty("format").GetString());
        Assert.Equal(3 * 32 * 16 * 4, files[0].GetProperty("size").GetInt64());
        Assert.Equal(3, files[0].GetProperty("groups").GetInt32());
        Assert.Equal("models/b.safetensors", files[1].GetProperty("name").GetString());
        Assert.False(files[1].GetProperty("checkout").GetBoolean());
        Assert.Equal(5 * 32 * 16 * 4, files[1].GetProperty("size").GetInt64());
        Assert.Equal(5, files[1].GetProperty("groups").GetInt32());
    }

    [Fact]
    public void Outside_a_repository_ls_files_is_GT2001_with_exit_3()
    {
        var result = sandbox.Theta(sandbox.Root, "ls-files", "--json");

        Assert.Equal(3, result.ExitCode);
        Assert.Matches("^git-theta: error GT2001: [^\n]+\n$", result.Error);
        Assert.Equal(string.Empty, result.Output);
    }

    public void Dispose() => sandbox.Dispose();

    /// <summary>a.safetensors checked out; models/b.safetensors committed but its working file replaced by its metadata (as a clone without the filter leaves it); old.safetensors deleted in the last commit.</summary>
    private GitRepo Prepared()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "*.safetensors");
        repo.Write("a.safetensors", Checkpoint.Random(3).ToBytes());
        repo.Write("models/b.safetensors", Checkpoint.Random(5, seed: 2).ToBytes());
        repo.Write("old.safetensors", Checkpoint.Random(2, seed: 3).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("three checkpoints");
        repo.GitOk("rm", "-q", "old.safetensors");
        repo.Commit("old.safetensors only in history");
        File.WriteAllText(repo.Path("models/b.safetensors"), repo.Show("HEAD:models/b.safetensors"), new UTF8Encoding(false));
        Assert.StartsWith("{", File.ReadAllText(repo.Path("models/b.safetensors")));
        return repo;
    }
}
