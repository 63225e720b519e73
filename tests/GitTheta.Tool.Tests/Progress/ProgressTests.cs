using GitTheta.Tool.Tests.EndToEnd;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Progress;

/// <summary>
/// Progress in git-lfs's style: drawn on stderr when it is a terminal (a pseudo-terminal made by <c>script</c>), never
/// when stderr goes to a file or a pipe, never with --quiet. The threshold is lowered by environment so the
/// checkpoints stay small.
/// </summary>
public sealed class ProgressTests : IDisposable
{
    private const string Model = "model.safetensors";

    /// <summary>4 groups of 128 x 128 F32: 256 KiB of tensors, over the 64 KiB threshold the tests set.</summary>
    private static readonly byte[] Large = Checkpoint.Random(4, rows: 128, columns: 128).ToBytes();

    private static readonly Dictionary<string, string?> LowThreshold = new() { ["GIT_THETA_PROGRESS_THRESHOLD"] = "64k" };

    private readonly Sandbox sandbox = new();

    [Fact]
    public void Git_add_and_checkout_on_a_terminal_show_the_cleaning_and_smudging_meters_with_byte_counts()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Large);
        var size = ByteSizeText(Large.Length);

        var add = OnTerminal(repo, LowThreshold, $"git add {Model}");
        Assert.Contains($"Cleaning {Model} ({size})", add);
        Assert.Contains($"Cleaning {Model}: 100% ({size}/{size}) | ", add);
        Assert.Contains(", done.", add);
        Assert.Matches(@"\r(?!\n)", add);
        repo.Commit("v1");

        File.Delete(repo.Path(Model));
        var checkout = OnTerminal(repo, LowThreshold, $"git checkout -- {Model}");
        Assert.Contains($"Smudging {Model} ({size})", checkout);
        Assert.Contains($"Smudging {Model}: 100% ({size}/{size}) | ", checkout);
        Assert.Contains(", done.", checkout);
        Assert.Equal(Large, repo.Read(Model));
    }

    [Fact]
    public void With_stderr_redirected_to_a_file_add_and_checkout_draw_nothing_even_with_a_terminal_on_stdout()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Large);
        var errors = sandbox.Path("stderr.txt");

        OnTerminal(repo, LowThreshold, $"git add {Model} 2>{errors}");
        Assert.True(File.Exists(errors));
        AssertNoProgress(File.ReadAllText(errors));
        Assert.Contains(Model, repo.GitOk("diff", "--cached", "--name-only"));
        repo.Commit("v1");

        File.Delete(repo.Path(Model));
        OnTerminal(repo, LowThreshold, $"git checkout -- {Model} 2>{errors}");
        AssertNoProgress(File.ReadAllText(errors));
        Assert.Equal(Large, repo.Read(Model));

        // A pipe is no terminal either: the way every other test runs git.
        File.Delete(repo.Path(Model));
        var piped = sandbox.Run("git", new[] { "checkout", "--", Model }, repo.Directory, extra: LowThreshold).EnsureSuccess("checkout");
        AssertNoProgress(piped.Error);
    }

    [Fact]
    public void Files_under_the_threshold_and_GIT_THETA_PROGRESS_0_draw_nothing_on_a_terminal()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Large);

        // The default threshold (64 MiB) is far above this file.
        var add = OnTerminal(repo, new Dictionary<string, string?>(), $"git add {Model}");
        AssertNoProgress(add);
        repo.Commit("v1");

        File.Delete(repo.Path(Model));
        var off = new Dictionary<string, string?>(LowThreshold) { ["GIT_THETA_PROGRESS"] = "0" };
        var checkout = OnTerminal(repo, off, $"git checkout -- {Model}");
        AssertNoProgress(checkout);
        Assert.Equal(Large, repo.Read(Model));
    }

    [Fact]
    public void Fetch_in_a_clone_shows_the_download_meter_on_a_terminal_and_none_with_quiet_or_redirected()
    {
        var clone = CloneWithoutObjects(out var objectCount);

        var fetch = OnTerminal(clone, new Dictionary<string, string?>(), "git theta fetch");
        Assert.Contains($"Downloading parameter objects: 100% ({objectCount}/{objectCount}), ", fetch);
        Assert.Contains(", done.", fetch);
        Assert.Contains($"{objectCount} fetched", fetch);

        // Git-lfs's per-object heading for its internal pointer paths is replaced by the meter, not shown.
        Assert.DoesNotContain(".git-theta-fetch", fetch);

        Directory.Delete(Path.Combine(clone.Directory, ".git", "lfs"), recursive: true);
        var quiet = OnTerminal(clone, new Dictionary<string, string?>(), "git theta fetch --quiet");
        Assert.Contains($"{objectCount} fetched", quiet);
        AssertNoProgress(quiet);

        Directory.Delete(Path.Combine(clone.Directory, ".git", "lfs"), recursive: true);
        var errors = sandbox.Path("fetch-stderr.txt");
        var redirected = OnTerminal(clone, new Dictionary<string, string?>(), $"git theta fetch 2>{errors}");
        Assert.Contains($"{objectCount} fetched", redirected);
        AssertNoProgress(File.ReadAllText(errors));
        Assert.Equal(objectCount, clone.StoredObjects().Count);
    }

    [Fact]
    public void A_clone_on_a_terminal_shows_the_download_and_the_smudge_of_the_large_checkpoint()
    {
        var remote = PushedRemote(out var objectCount);
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");

        var clone = TerminalSession.OnPseudoTerminal(sandbox, sandbox.Root, LowThreshold, $"git clone {remote.Directory} cloned");
        Assert.Equal(0, clone.WaitForExit());
        var output = clone.Output;
        Assert.Contains($"Downloading {Model}: 100% ({objectCount}/{objectCount}), ", output);
        Assert.Contains($"Smudging {Model} ({ByteSizeText(Large.Length)})", output);
        Assert.Equal(Large, File.ReadAllBytes(sandbox.Path("cloned", Model)));
    }

    [Fact]
    public void Push_on_a_terminal_passes_git_lfs_upload_meter_through_and_a_redirected_push_shows_none()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var remote = sandbox.InitBare();
        repo.Write(Model, Large);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);

        var push = OnTerminal(repo, new Dictionary<string, string?>(), "git push origin main");
        Assert.Contains("Uploading LFS objects: 100% (", push);
        Assert.Contains("git-theta: uploaded", push);

        repo.Write(Model, Checkpoint.Random(4, rows: 128, columns: 128, seed: 2).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v2");
        var errors = sandbox.Path("push-stderr.txt");
        OnTerminal(repo, new Dictionary<string, string?>(), $"git push origin main 2>{errors}");
        var redirected = File.ReadAllText(errors);
        Assert.Contains("git-theta: uploaded", redirected);
        Assert.DoesNotContain("Uploading LFS objects", redirected);
    }

    [Fact]
    public void Verify_draws_its_meter_on_a_terminal_and_none_with_quiet()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Large);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        var objectCount = repo.StoredObjects().Count;

        var verify = OnTerminal(repo, new Dictionary<string, string?>(), "git theta verify");
        Assert.Contains($"Verifying parameter objects: 100% ({objectCount}/{objectCount}), ", verify);
        Assert.Contains($"{objectCount} objects checked: {objectCount} intact", verify);

        var quiet = OnTerminal(repo, new Dictionary<string, string?>(), "git theta verify -q");
        Assert.Contains($"{objectCount} objects checked: {objectCount} intact", quiet);
        Assert.DoesNotContain("Verifying", quiet);
        AssertNoProgress(quiet);
    }

    [Fact]
    public void GIT_LFS_PROGRESS_receives_git_lfs_style_checkout_lines_without_a_terminal()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Large);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        File.Delete(repo.Path(Model));
        var progressFile = sandbox.Path("lfs-progress.txt");

        var environment = new Dictionary<string, string?>(LowThreshold) { ["GIT_LFS_PROGRESS"] = progressFile };
        var checkout = sandbox.Run("git", new[] { "checkout", "--", Model }, repo.Directory, extra: environment).EnsureSuccess("checkout");
        AssertNoProgress(checkout.Error);

        var lines = File.ReadAllLines(progressFile);
        Assert.Contains($"checkout 1/1 {Large.Length}/{Large.Length} {Model}", lines);
        Assert.All(lines, line => Assert.Matches($@"^checkout 1/1 \d+/{Large.Length} {Model}$", line));
    }

    [Fact]
    public void A_threshold_that_is_not_a_size_is_one_GT_error_and_fetches_nothing()
    {
        var clone = CloneWithoutObjects(out _);
        var result = sandbox.Run(Path.Combine(Sandbox.ToolDirectory, "git-theta"), new[] { "fetch" }, clone.Directory, extra: new Dictionary<string, string?> { ["GIT_THETA_PROGRESS_THRESHOLD"] = "lots" });
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal($"git-theta: error GT2014: GIT_THETA_PROGRESS_THRESHOLD='lots' is not a byte count (a number, optionally with k, m or g, e.g. 64m); unset it or fix it.", result.Error.Trim());
        Assert.Empty(clone.StoredObjects());
    }

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void A_meter_fits_a_narrow_terminal_by_shortening_the_path_from_its_start()
    {
        const string LongName = "a-rather-long-folder-name/and-an-even-longer-checkpoint-file-name.safetensors";
        var repo = ThetaRepoFactory.Create(sandbox, LongName);
        Directory.CreateDirectory(repo.Path("a-rather-long-folder-name"));
        repo.Write(LongName, Large);

        var add = OnTerminal(repo, LowThreshold, $"stty cols 50; git add '{LongName}'");

        // Every redraw (the text after a \r that starts no new line) fits in 49 columns, and still ends with the amounts.
        var redraws = System.Text.RegularExpressions.Regex.Split(add, @"\r(?!\n)").Skip(1).Select(r => r.Split('\r', '\n')[0].TrimEnd()).ToList();
        Assert.NotEmpty(redraws);
        Assert.All(redraws, r => Assert.True(r.Length <= 49, $"'{r}' is {r.Length} columns"));
        Assert.True(
            redraws.Any(r => r.StartsWith("...", StringComparison.Ordinal) && r.Contains("name.safetensors: ", StringComparison.Ordinal) && r.Contains("100%", StringComparison.Ordinal)),
            "redraws:\n" + string.Join("\n", redraws));
    }

    private static void AssertNoProgress(string text)
    {
        // A terminal turns every \n into \r\n; a meter's redraw is a \r on its own.
        Assert.DoesNotMatch(@"\r(?!\n)", text);
        Assert.DoesNotContain("Cleaning", text);
        Assert.DoesNotContain("Smudging", text);
        Assert.DoesNotContain("Downloading", text);
        Assert.DoesNotContain("% (", text);
    }

    /// <summary>What <c>ByteSize.Format</c> prints for the test sizes (KiB with one decimal).</summary>
    private static string ByteSizeText(long bytes) =>
        (bytes / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " KiB";

    private string OnTerminal(GitRepo repo, IDictionary<string, string?> environment, string commandLine)
    {
        using var session = TerminalSession.OnPseudoTerminal(sandbox, repo.Directory, environment, commandLine);
        var exit = session.WaitForExit();
        Assert.True(exit == 0, $"'{commandLine}' exited with {exit}:\n{session.Output}");
        return session.Output;
    }

    private GitRepo PushedRemote(out int objectCount)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var remote = sandbox.InitBare();
        repo.Write(Model, Large);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        objectCount = repo.StoredObjects().Count;
        return remote;
    }

    private GitRepo CloneWithoutObjects(out int objectCount)
    {
        var remote = PushedRemote(out objectCount);
        sandbox.Git(sandbox.Root, "clone", "-q", "--no-checkout", remote.Directory, "clone").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        clone.ThetaOk("install");
        return clone;
    }
}
