using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Update chains through real git: deep chains, squash, the depth limit, and the history operations that rewrite or
/// drop the commits a chain was built on (amend, rebase, merge, shallow clones).
/// </summary>
public sealed class UpdateChainTests : IDisposable
{
    private const string Model = "model.safetensors";
    private const string Weight = "layers.0.weight";
    private const string Bias = "layers.0.bias";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void A_chain_of_depth_ten_rebuilds_every_commit_and_squash_resets_it()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var versions = new List<TensorFile> { BaseModel() };
        var commits = new List<string> { CommitWith(repo, versions[0], "add", Model) };
        for (var k = 1; k <= 10; k++)
        {
            var values = versions[k - 1][Weight].Values.ToArray();
            values[k * 97] += 0.125;
            values[(k * 389) % values.Length] -= 0.25;
            versions.Add(versions[k - 1].With(Weight, values));
            commits.Add(CommitWith(repo, versions[k], "add", Model, "--update-type", "sparse"));
            var entry = MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight];
            Assert.Equal(k, entry.Depth);
            Assert.Equal(commits[k - 1], entry.Base);
        }

        for (var k = 10; k >= 0; k--)
        {
            repo.GitOk("checkout", "-q", commits[k]);
            Assert.Equal(versions[k].ToBytes(), repo.Read(Model));
        }

        repo.GitOk("checkout", "-q", "main");
        var log = repo.ThetaOk("log", Model, "--param", Weight);
        Assert.Contains("sparse update on " + commits[9][..12] + " (chain depth 10)", log);
        Assert.Contains("added: dense", log);

        var squash = repo.ThetaOk("squash", Model);
        Assert.Contains("1 parameter group(s) stored dense (the deepest update chain was 10)", squash);
        var squashed = repo.Commit("squash");
        Assert.All(MetadataView.Parse(repo.Show($"{squashed}:{Model}")).Entries.Values, e => Assert.Equal(("dense", 0), (e.Type, e.Depth)));
        Assert.Equal(MetadataView.Parse(repo.Show($"{commits[10]}:{Model}"))[Bias].Oid, MetadataView.Parse(repo.Show($"{squashed}:{Model}"))[Bias].Oid);
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(versions[10].ToBytes(), repo.Read(Model));
        Assert.Contains("nothing to squash", repo.ThetaOk("squash", Model));
    }

    [Fact]
    public void Past_theta_maxChainDepth_the_clean_writes_a_dense_value()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.GitOk("config", "theta.maxChainDepth", "2");
        File.AppendAllText(repo.Path(".gitattributes"), $"{Model} theta-update=sparse\n");
        var version = BaseModel();
        CommitWith(repo, version, "plain");
        var depths = new List<int>();
        for (var k = 1; k <= 4; k++)
        {
            var values = version[Weight].Values.ToArray();
            values[k] += 1;
            version = version.With(Weight, values);
            CommitWith(repo, version, "plain");
            depths.Add(MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight].Depth);
        }

        Assert.Equal(new[] { 1, 2, 0, 1 }, depths);
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(version.ToBytes(), repo.Read(Model));
    }

    [Fact]
    public void Amending_the_base_commit_and_pruning_it_keeps_the_update_rebuildable_here_and_in_a_clone()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel();
        CommitWith(repo, v1, "add", Model);
        var values = v1[Weight].Values.ToArray();
        values[7] = 2;
        var v2 = v1.With(Weight, values);
        repo.Write(Model, v2.ToBytes());
        repo.ThetaOk("add", Model, "--update-type", "sparse");
        repo.GitOk("commit", "-q", "--amend", "-m", "base, amended with a sparse update");

        // The commit the update was computed against is gone from history and from the object database.
        repo.GitOk("reflog", "expire", "--expire=now", "--all");
        repo.GitOk("gc", "-q", "--prune=now");
        var entry = MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight];
        Assert.Equal("sparse", entry.Type);
        Assert.NotEqual(0, repo.Git("cat-file", "-e", entry.Base + "^{commit}").ExitCode);

        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(v2.ToBytes(), repo.Read(Model));

        var clone = PushAndClone(repo, "amended");
        Assert.Equal(v2.ToBytes(), clone.Read(Model));
    }

    [Fact]
    public void A_branch_of_incremental_updates_rebases_onto_a_main_that_changed_another_group()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel();
        CommitWith(repo, v1, "add", Model);
        repo.GitOk("checkout", "-q", "-b", "tune");
        var tuned = v1;
        for (var k = 0; k < 2; k++)
        {
            var values = tuned[Weight].Values.ToArray();
            values[k * 11] += 0.5;
            tuned = tuned.With(Weight, values);
            CommitWith(repo, tuned, "add", Model, "--update-type", "sparse");
        }

        repo.GitOk("checkout", "-q", "main");
        var biasChanged = v1.With(Bias, TensorFile.Random(20, 64));
        CommitWith(repo, biasChanged, "add", Model);

        repo.GitOk("checkout", "-q", "tune");
        repo.GitOk("rebase", "-q", "main");

        var expected = tuned.With(Bias, biasChanged[Bias].Values);
        Assert.Equal(expected.ToBytes(), repo.Read(Model));
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        var rebased = MetadataView.Parse(repo.Show($"HEAD:{Model}"));
        Assert.Equal(("sparse", 2), (rebased[Weight].Type, rebased[Weight].Depth));
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(expected.ToBytes(), repo.Read(Model));
        repo.GitOk("checkout", "-q", "HEAD~1");
        var values1 = v1[Weight].Values.ToArray();
        values1[0] += 0.5;
        Assert.Equal(v1.With(Weight, values1).With(Bias, biasChanged[Bias].Values).ToBytes(), repo.Read(Model));
    }

    [Fact]
    public void A_rebase_where_both_sides_changed_the_same_group_stops_with_a_clear_conflict()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel();
        CommitWith(repo, v1, "add", Model);
        repo.GitOk("checkout", "-q", "-b", "tune");
        var values = v1[Weight].Values.ToArray();
        values[0] += 0.5;
        CommitWith(repo, v1.With(Weight, values), "add", Model, "--update-type", "sparse");
        repo.GitOk("checkout", "-q", "main");
        values = v1[Weight].Values.ToArray();
        values[1] -= 0.5;
        CommitWith(repo, v1.With(Weight, values), "add", Model, "--update-type", "sparse");

        repo.GitOk("checkout", "-q", "tune");
        var rebase = repo.Git("rebase", "main");

        Assert.NotEqual(0, rebase.ExitCode);
        Assert.Contains("GT2017", rebase.Error + rebase.Output);
        Assert.Contains(Weight, rebase.Error + rebase.Output);
        repo.GitOk("rebase", "--abort");
    }

    [Fact]
    public void A_merge_of_a_branch_with_incremental_updates_checks_out_both_sides_changes()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel();
        CommitWith(repo, v1, "add", Model);
        repo.GitOk("checkout", "-q", "-b", "tune");
        var values = v1[Weight].Values.ToArray();
        values[5] = 1;
        var tuned = v1.With(Weight, values);
        CommitWith(repo, tuned, "add", Model, "--update-type", "sparse");
        repo.GitOk("checkout", "-q", "main");
        var bias = v1.With(Bias, TensorFile.Random(30, 64));
        CommitWith(repo, bias, "add", Model);

        repo.GitOk("merge", "-q", "--no-edit", "tune");

        Assert.Equal(tuned.With(Bias, bias[Bias].Values).ToBytes(), repo.Read(Model));
        Assert.Equal("sparse", MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight].Type);
        Assert.Contains("1 modified", repo.ThetaOk("log", Model, "-n", "1"));
    }

    [Fact]
    public void A_shallow_clone_rebuilds_an_update_whose_base_commit_it_lacks_and_names_the_commit_when_an_object_is_gone()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = BaseModel();
        var first = CommitWith(repo, v1, "add", Model);
        var values = v1[Weight].Values.ToArray();
        values[3] = -1;
        var v2 = v1.With(Weight, values);
        CommitWith(repo, v2, "add", Model, "--update-type", "sparse");

        var shallow = PushAndClone(repo, "shallow", "--depth", "1");
        Assert.NotEqual(0, shallow.Git("cat-file", "-e", first + "^{commit}").ExitCode);
        Assert.Equal(v2.ToBytes(), shallow.Read(Model));

        // The dense value the update builds on is lost from the remote: a new shallow clone cannot rebuild it.
        var dense = MetadataView.Parse(repo.Show($"{first}:{Model}"))[Weight].Oid;
        File.Delete(Path.Combine(sandbox.Path("remote.git"), "lfs", "objects", dense[..2], dense[2..4], dense));
        var failed = sandbox.Git(sandbox.Root, "clone", "-q", "--depth", "1", "file://" + sandbox.Path("remote.git"), "broken");
        Assert.Contains("GT2007", failed.Error);
        Assert.Contains($"on the value of commit {first}", failed.Error);
        Assert.Contains(dense, failed.Error);
    }

    private static TensorFile BaseModel() =>
        new TensorFile().Add(Weight, "F32", new long[] { 64, 128 }, TensorFile.Random(1, 64 * 128, 0.5)).Add(Bias, "F32", new long[] { 64 }, TensorFile.Random(2, 64));

    /// <summary>Writes the file, stages it ("plain": git add; else git theta with the arguments) and commits.</summary>
    private static string CommitWith(GitRepo repo, TensorFile file, params string[] add)
    {
        repo.Write(Model, file.ToBytes());
        repo.GitOk("add", ".gitattributes");
        if (add is ["plain"])
        {
            repo.GitOk("add", Model);
        }
        else
        {
            repo.ThetaOk(add);
        }

        return repo.Commit("commit " + Guid.NewGuid().ToString("N")[..6]);
    }

    private GitRepo PushAndClone(GitRepo repo, string name, params string[] cloneOptions)
    {
        var remote = Directory.Exists(sandbox.Path("remote.git")) ? new GitRepo(sandbox, sandbox.Path("remote.git")) : sandbox.InitBare();
        if (repo.Git("remote", "get-url", "origin").ExitCode != 0)
        {
            repo.GitOk("remote", "add", "origin", remote.Directory);
        }

        repo.GitOk("push", "-q", "-f", "origin", "HEAD:main");
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        var arguments = new List<string> { "clone", "-q" };
        arguments.AddRange(cloneOptions);
        arguments.Add("file://" + remote.Directory);
        arguments.Add(name);
        sandbox.Git(sandbox.Root, arguments.ToArray()).EnsureSuccess("clone");
        return new GitRepo(sandbox, sandbox.Path(name));
    }
}
