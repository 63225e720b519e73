using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// What was committed comes back bit for bit, or git-theta says loudly that it cannot: wrong sizes in metadata, silent
/// bit rot, git lfs prune, damaged metadata, and uploads, all through real git and git-lfs.
/// </summary>
public sealed class TrustTests : IDisposable
{
    private const string Model = "model.safetensors";
    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Metadata_naming_a_wrong_size_is_refused_by_add_and_by_checkout_and_the_intact_object_survives()
    {
        var (repo, v1, _) = TwoVersions();
        var good = repo.GitOk("rev-parse", "HEAD~1").Trim();
        var metadata = repo.Show($"{good}:{Model}");
        var (oid, size) = FirstGroupObject(metadata);
        var forged = metadata.Replace($"\"size\": {size}", $"\"size\": {size + 1}", StringComparison.Ordinal);
        Assert.NotEqual(metadata, forged);

        // git add of the forged metadata: clean checks the sizes of the objects that are here.
        repo.Write(Model, System.Text.Encoding.UTF8.GetBytes(forged));
        var indexBefore = repo.GitOk("ls-files", "-s");
        var add = repo.Git("add", Model);
        Assert.NotEqual(0, add.ExitCode);
        Assert.Contains("error GT2024", add.Error);
        Assert.Contains(oid, add.Error);
        Assert.Equal(indexBefore, repo.GitOk("ls-files", "-s"));
        repo.GitOk("checkout", "-f", "--", Model);

        // Committed anyway (bypassing the filter): checkout, fetch, smudge and verify all refuse it and delete nothing.
        var bad = CommitBlobBypassingFilters(repo, forged, "forged size");
        var objectBytes = File.ReadAllBytes(repo.ObjectFile(oid));
        var smudgeTool = Path.Combine(Sandbox.ToolDirectory, "git-theta");
        foreach (var (what, run) in new (string, Func<ProcessResult>)[]
        {
            ("checkout", () => repo.Git("checkout", "-q", bad, "--", Model)),
            ("fetch", () => repo.Theta("fetch", bad)),
            ("smudge", () => sandbox.Run(smudgeTool, new[] { "smudge", Model }, repo.Directory, System.Text.Encoding.UTF8.GetBytes(forged))),
        })
        {
            var result = run();
            Assert.True(result.ExitCode != 0, $"{what} succeeded:\n{result.Error}");
            Assert.Contains("GT2024", result.Error);
            Assert.Contains($"size {size + 1}", result.Error);
            Assert.Contains($"{size} bytes", result.Error);
            Assert.Equal(objectBytes, File.ReadAllBytes(repo.ObjectFile(oid)));
            Assert.True(!File.Exists(repo.LfsObjectFile(oid)) || File.ReadAllBytes(repo.LfsObjectFile(oid)).SequenceEqual(objectBytes), "git-lfs's name was changed");
        }

        var verify = repo.Theta("verify", bad);
        Assert.Equal(4, verify.ExitCode);
        Assert.Contains("error GT2024", verify.Error);
        Assert.Matches(@"0 missing, 0 corrupt, \d+ named with a wrong size\.", verify.Output);
        Assert.Contains($"size     {oid}  intact, {size} bytes; the metadata says {size + 1}", verify.Output);

        repo.GitOk("checkout", "-q", "-f", good);
        Assert.Equal(v1, repo.Read(Model));
    }

    [Fact]
    public void A_size_git_lfs_cannot_handle_is_malformed_metadata_and_never_reaches_git_lfs()
    {
        var (repo, _, _) = TwoVersions();
        var metadata = repo.Show($"HEAD:{Model}");
        var (_, size) = FirstGroupObject(metadata);
        var bad = CommitBlobBypassingFilters(repo, metadata.Replace($"\"size\": {size}", "\"size\": 4611686018427387904", StringComparison.Ordinal), "2^62");

        var checkout = repo.Git("checkout", "-q", bad, "--", Model);

        Assert.NotEqual(0, checkout.ExitCode);
        Assert.Contains("error GT2006", checkout.Error);
        Assert.DoesNotContain("panic", checkout.Error);
    }

    [Fact]
    public void Bit_rot_that_keeps_size_and_mtime_fails_the_checkout_with_GT2008_and_leaves_no_partial_checkpoint()
    {
        var (repo, v1, v2) = TwoVersions();
        var metadata = repo.Show($"HEAD~1:{Model}");
        var (oid, _) = FirstGroupObject(metadata);

        // Check v1 out once intact, so any cache of earlier reads would now trust the object.
        repo.GitOk("checkout", "-q", "HEAD~1");
        Assert.Equal(v1, repo.Read(Model));
        repo.GitOk("checkout", "-q", "main");
        Assert.Equal(v2, repo.Read(Model));

        var path = repo.ObjectFile(oid);
        var info = new FileInfo(path);
        var (length, modified) = (info.Length, info.LastWriteTimeUtc);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = length - 3;
            var value = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(value ^ 0x04));
        }

        File.SetLastWriteTimeUtc(path, modified);
        Assert.Equal(length, new FileInfo(path).Length);

        var checkout = repo.Git("checkout", "-q", "HEAD~1");

        Assert.NotEqual(0, checkout.ExitCode);
        Assert.Contains("error GT2008", checkout.Error);
        Assert.Contains(oid, checkout.Error);
        Assert.Contains("git theta fetch", checkout.Error);

        // No corrupt or truncated checkpoint in the work tree: the file is either absent or still v2, never a mix.
        if (File.Exists(repo.Path(Model)))
        {
            Assert.Equal(v2, repo.Read(Model));
        }

        var verify = repo.Theta("verify", "HEAD~1");
        Assert.Equal(4, verify.ExitCode);
        Assert.Contains($"corrupt  {oid}", verify.Output);
    }

    [Fact]
    public void Git_lfs_prune_without_a_remote_loses_no_unpushed_version()
    {
        var (repo, v1, v2) = TwoVersions();
        repo.GitOk("config", "lfs.pruneverifyremotealways", "true");

        var prune = repo.Git("lfs", "prune");
        prune.EnsureSuccess("git lfs prune");

        AssertBothVersionsCheckOut(repo, v1, v2);
    }

    [Fact]
    public void Git_lfs_prune_with_a_remote_that_lacks_the_objects_loses_no_unpushed_version_and_push_still_uploads_them()
    {
        var (repo, v1, v2) = TwoVersions();
        var remote = sandbox.InitBare();
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("config", "lfs.pruneverifyremotealways", "true");

        repo.Git("lfs", "prune").EnsureSuccess("git lfs prune");
        repo.Git("lfs", "prune", "--verify-remote").EnsureSuccess("git lfs prune --verify-remote");
        AssertBothVersionsCheckOut(repo, v1, v2);

        // Pushing after prune took git-lfs's names away: they are made again from the theta store and uploaded.
        repo.GitOk("push", "-q", "origin", "main");
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "clone").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));
        Assert.Equal(v2, clone.Read(Model));
        clone.GitOk("checkout", "-q", "HEAD~1");
        Assert.Equal(v1, clone.Read(Model));
    }

    [Fact]
    public void Damaged_metadata_fails_the_checkout_with_GT2006_naming_the_path_and_is_never_written_as_text()
    {
        var (repo, _, v2) = TwoVersions();
        var metadata = repo.Show($"HEAD:{Model}");
        var damaged = metadata[..(metadata.Length / 2)];
        var bad = CommitBlobBypassingFilters(repo, damaged, "damaged metadata");
        repo.GitOk("checkout", "-q", "-f", "main");
        Assert.Equal(v2, repo.Read(Model));

        var checkout = repo.Git("checkout", "-q", bad);

        Assert.NotEqual(0, checkout.ExitCode);
        Assert.Contains("error GT2006", checkout.Error);
        Assert.Contains(Model, checkout.Error);
        Assert.Contains("claims to be git-theta metadata", checkout.Error);
        if (File.Exists(repo.Path(Model)))
        {
            Assert.False(repo.Read(Model).AsSpan().StartsWith("{"u8), "the damaged metadata was written into the work tree as text");
        }
    }

    [Fact]
    public void A_second_push_uploads_only_the_objects_of_the_changed_groups()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var remote = sandbox.InitBare();
        repo.GitOk("remote", "add", "origin", remote.Directory);
        var v1 = Checkpoint.Random(12);
        repo.Write(Model, v1.ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("v1");
        var first = repo.Git("push", "-u", "origin", "main").EnsureSuccess("first push");
        Assert.Matches(new Regex(@"uploaded 13 new parameter object\(s\)"), first.Error);

        repo.Write(Model, v1.Clone().Add(3, 1e-2f).Add(7, 1e-2f).ToBytes());
        repo.GitOk("add", ".");
        repo.Commit("two groups");
        var second = repo.Git("push", "origin", "main").EnsureSuccess("second push");

        Assert.Matches(new Regex(@"uploaded 2 new parameter object\(s\)"), second.Error);
    }

    [Fact]
    public void A_failing_git_lfs_push_stops_the_push_with_GT2018()
    {
        var (repo, _, _) = TwoVersions();
        var remote = sandbox.InitBare();
        repo.GitOk("remote", "add", "origin", remote.Directory);

        // A git-lfs first on PATH that answers 'version' and fails everything else, as a broken remote would.
        var shims = sandbox.Path("shims");
        Directory.CreateDirectory(shims);
        var shim = Path.Combine(shims, "git-lfs");
        File.WriteAllText(shim, "#!/bin/sh\nif [ \"$1\" = version ]; then echo 'git-lfs/3.3.0 (shim)'; exit 0; fi\necho 'batch response: simulated outage' >&2\nexit 2\n");
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = shims + Path.PathSeparator + Sandbox.ToolDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

        var push = sandbox.Run("git", new[] { "push", "origin", "main" }, repo.Directory, extra: new Dictionary<string, string?> { ["PATH"] = path });

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("error GT2018", push.Error);
        Assert.Contains("simulated outage", push.Error);
        Assert.Empty(sandbox.Git(remote.Directory, "for-each-ref").Output.Trim());
    }

    [Fact]
    public void More_new_tensors_than_open_files_allowed_still_add()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var checkpoint = Checkpoint.Random(600, rows: 2, columns: 2);
        repo.Write(Model, checkpoint.ToBytes());

        var add = sandbox.Run("bash", new[] { "-c", $"ulimit -n 128 && git add {Model}" }, repo.Directory);

        add.EnsureSuccess("git add under ulimit -n 128");
        repo.Commit("many groups");
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(checkpoint.ToBytes(), repo.Read(Model));
    }

    [Fact]
    public void The_next_add_removes_temp_files_a_killed_add_left_and_keeps_a_live_processes()
    {
        var (repo, _, _) = TwoVersions();
        Directory.CreateDirectory(repo.ThetaTemp());
        var host = HostTagOfThisMachine();

        // A process that died mid-write (no process has this pid) and one that is alive (this test's own).
        var dead = Path.Combine(repo.ThetaTemp(), $"theta-{host}-{DeadPid()}-42-{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(dead, new byte[1 << 20]);
        var live = Path.Combine(repo.ThetaTemp(), $"theta-{host}-{Environment.ProcessId}-{StartTicksOfThisProcess()}-{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(live, new byte[16]);

        repo.Write(Model, Checkpoint.Random(8, seed: 5).ToBytes());
        repo.GitOk("add", Model);

        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
    }

    private (GitRepo Repo, byte[] V1, byte[] V2) TwoVersions()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = Checkpoint.Random(6).ToBytes();
        var v2 = Checkpoint.Random(6).Add(2, 1e-2f).ToBytes();
        repo.Write(Model, v1);
        repo.GitOk("add", ".");
        repo.Commit("v1");
        repo.Write(Model, v2);
        repo.GitOk("add", ".");
        repo.Commit("v2");
        return (repo, v1, v2);
    }

    private static void AssertBothVersionsCheckOut(GitRepo repo, byte[] v1, byte[] v2)
    {
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "-q", "HEAD~1");
        Assert.Equal(v1, repo.Read(Model));
        repo.GitOk("checkout", "-q", "main");
        Assert.Equal(v2, repo.Read(Model));
        Assert.Contains("0 missing, 0 corrupt", repo.ThetaOk("verify", "HEAD", "HEAD~1"));
    }

    /// <summary>Commits a blob as it is, on top of HEAD, with git's plumbing (no work tree, no index, no filter), and returns the commit.</summary>
    private static string CommitBlobBypassingFilters(GitRepo repo, string content, string message)
    {
        var temp = Path.Combine(repo.Sandbox.Root, $"blob-{Guid.NewGuid():N}");
        File.WriteAllText(temp, content);
        var blob = repo.GitOk("hash-object", "-w", "--no-filters", temp).Trim();
        var index = new Dictionary<string, string?> { ["GIT_INDEX_FILE"] = temp + ".index" };
        foreach (var arguments in new[] { new[] { "read-tree", "HEAD" }, new[] { "update-index", "--cacheinfo", $"100644,{blob},{Model}" } })
        {
            repo.Sandbox.Run("git", arguments, repo.Directory, extra: index).EnsureSuccess("git " + string.Join(' ', arguments));
        }

        var tree = repo.Sandbox.Run("git", new[] { "write-tree" }, repo.Directory, extra: index).EnsureSuccess("git write-tree").Output.Trim();
        return repo.GitOk("commit-tree", tree, "-p", "HEAD", "-m", message).Trim();
    }

    private static (string Oid, long Size) FirstGroupObject(string metadata)
    {
        var match = Regex.Match(metadata, "\"layers\\.0\\.weight\": \\{\\s*\"object\": \\{\\s*\"oid\": \"([0-9a-f]{64})\",\\s*\"size\": (\\d+)");
        Assert.True(match.Success, "no object entry for layers.0.weight in:\n" + metadata);
        return (match.Groups[1].Value, long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The host tag in the names of the temp files git-theta writes on this machine: FNV-1a of the machine name.</summary>
    private static string HostTagOfThisMachine()
    {
        var hash = 2166136261u;
        foreach (var c in Environment.MachineName)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>This process's start time as the temp file names hold it: /proc/self/stat field 22 (clock ticks since boot).</summary>
    private static string StartTicksOfThisProcess()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    private static int DeadPid()
    {
        for (var pid = 4_000_000; ; pid--)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                return pid;
            }
        }
    }
}
