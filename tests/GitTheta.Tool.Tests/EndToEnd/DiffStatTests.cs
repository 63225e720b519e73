using System.Globalization;
using System.Text.RegularExpressions;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary><c>git theta diff --stat</c> and <c>git diff</c> with GIT_THETA_DIFF_STAT / theta.diffStat: the numbers per modified group.</summary>
public sealed partial class DiffStatTests : IDisposable
{
    private const string Model = "model.safetensors";
    private const string Weight = "layers.0.weight";
    private const string Bias = "layers.0.bias";

    private readonly Sandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Stat_between_two_commits_reports_exactly_the_two_groups_that_moved_by_a_thousandth()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitCheckpoint(repo, Checkpoint.Random(10), "v1");
        CommitCheckpoint(repo, Checkpoint.Random(10).Add(2, 1e-3f).Add(5, 1e-3f), "v2");

        var output = repo.ThetaOk("diff", "--stat", $"HEAD~1:{Model}", $"HEAD:{Model}");

        Assert.StartsWith($"diff --git-theta a/{Model} b/{Model}\n", output);
        Assert.Contains("2 of 10 parameter groups differ: 2 modified, 0 added, 0 removed", output);
        var stats = StatLines(output);
        Assert.Equal(new[] { "layers.2.weight", "layers.5.weight" }, stats.Select(l => l.Split(' ')[0]));
        foreach (var line in stats)
        {
            var numbers = Parse(line);
            Assert.InRange(numbers.MaxAbsDelta, 0.99e-3, 1.01e-3);
            Assert.Contains("max|Δ| 1.0e-03", line);

            // Every one of the 32 x 16 elements moved by 1e-3, so ‖Δ‖ = 1e-3 · √512 = 0.0226.
            Assert.Contains("‖Δ‖ 2.3e-02", line);
            Assert.Equal((512L, 512L), (numbers.Changed, numbers.Total));
            Assert.InRange(numbers.Relative, 0.01, 1);
        }
    }

    [Fact]
    public void Git_diff_shows_the_numbers_only_when_GIT_THETA_DIFF_STAT_or_theta_diffStat_asks_and_otherwise_reads_no_object()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitCheckpoint(repo, Checkpoint.Random(6), "v1");
        repo.GitOk("tag", "v1");
        CommitCheckpoint(repo, Checkpoint.Random(6).Add(3, 1e-3f), "v2");
        repo.GitOk("tag", "v2");

        var asked = GitDiff(repo, "1", "diff", "v1", "v2");
        Assert.Equal("layers.3.weight", Assert.Single(StatLines(asked)).Split(' ')[0]);
        Assert.Contains("max|Δ| 1.0e-03", asked);
        Assert.Empty(StatLines(GitDiff(repo, null, "diff", "v1", "v2")));

        repo.GitOk("config", "theta.diffStat", "true");
        Assert.Single(StatLines(GitDiff(repo, null, "diff", "v1", "v2")));
        Assert.Empty(StatLines(GitDiff(repo, "0", "diff", "v1", "v2")));
        repo.GitOk("config", "theta.diffStat", "no");
        Assert.Empty(StatLines(GitDiff(repo, null, "diff", "v1", "v2")));

        // The working file is hashed in memory, never stored: its values come from the file itself.
        repo.Write(Model, Checkpoint.Random(6).Add(3, 1e-3f).Add(4, 2e-3f).ToBytes());
        var working = GitDiff(repo, "1", "diff");
        var line = Assert.Single(StatLines(working));
        Assert.StartsWith("layers.4.weight", line);
        Assert.Contains("max|Δ| 2.0e-03", line);
        Assert.Equal(StatLines(working), StatLines(repo.ThetaOk("diff", "--stat", "HEAD", "--", Model)));

        // Without the setting git diff works from metadata alone, so it must answer with the object store gone.
        repo.DeleteAllObjects();
        var plain = GitDiff(repo, null, "diff", "v1", "v2");
        Assert.Contains("modified layers.3.weight", plain);
        Assert.Empty(StatLines(plain));
        var failed = sandbox.Run("git", new[] { "diff", "v1", "v2" }, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_THETA_DIFF_STAT"] = "1" });
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("GT2007", failed.Error);
    }

    [Theory]
    [InlineData("sparse")]
    [InlineData("low-rank")]
    public void An_update_chain_side_gives_the_same_numbers_as_the_dense_value_it_rebuilds(string updateType)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var v1 = new TensorFile().Add(Weight, "F32", new long[] { 64, 128 }, TensorFile.Random(1, 64 * 128, 0.5)).Add(Bias, "F32", new long[] { 64 }, TensorFile.Random(2, 64));
        CommitTensors(repo, v1, "base");
        var latest = v1;
        for (var k = 1; k <= 2; k++)
        {
            var values = latest[Weight].Values.ToArray();
            if (updateType == "sparse")
            {
                values[k * 97] += 0.5;
                values[k * 389] -= 0.25;
            }
            else
            {
                // A rank-1 change: row i moves by u[i] · v.
                var u = TensorFile.Random(10 + k, 64, 0.1);
                var v = TensorFile.Random(20 + k, 128, 0.1);
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] += u[i / 128] * v[i % 128];
                }
            }

            latest = latest.With(Weight, values);
            CommitTensors(repo, latest, $"update {k}", "--update-type", updateType);
        }

        var chained = MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight];
        Assert.Equal((updateType, 2), (chained.Type, chained.Depth));
        var fromChain = repo.ThetaOk("diff", "--stat", $"HEAD~2:{Model}", $"HEAD:{Model}");

        Assert.Contains("1 parameter group(s) stored dense", repo.ThetaOk("squash", Model));
        repo.Commit("squash");
        Assert.Equal(("dense", 0), (MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight].Type, MetadataView.Parse(repo.Show($"HEAD:{Model}"))[Weight].Depth));
        var fromDense = repo.ThetaOk("diff", "--stat", $"HEAD~3:{Model}", $"HEAD:{Model}");

        Assert.Equal(StatLines(fromDense), StatLines(fromChain));
        var numbers = Parse(Assert.Single(StatLines(fromChain)));
        var expected = v1[Weight].Values.Zip(latest[Weight].Values, (a, b) => Math.Abs(b - a)).ToArray();

        // A low-rank value is rebuilt within the tolerances, so an element moved by less than a rounding step may differ.
        Assert.InRange(numbers.Changed, expected.Count(d => d > 0) - 16, 64L * 128);
        Assert.Equal(expected.Max(), numbers.MaxAbsDelta, expected.Max() * 0.05);
        Assert.Equal(Math.Sqrt(expected.Sum(d => d * d)), numbers.DeltaNorm, Math.Sqrt(expected.Sum(d => d * d)) * 0.05);
        if (updateType == "sparse")
        {
            Assert.Equal(4, numbers.Changed);
            Assert.Contains("max|Δ| 5.0e-01", fromChain);
        }
    }

    [Fact]
    public void A_missing_object_without_a_remote_is_one_clear_error_naming_the_group_the_object_and_git_theta_fetch()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        CommitCheckpoint(repo, Checkpoint.Random(4), "v1");
        CommitCheckpoint(repo, Checkpoint.Random(4).Add(2, 1e-3f), "v2");
        var oid = MetadataView.Parse(repo.Show($"HEAD:{Model}"))["layers.2.weight"].Oid;
        repo.DeleteObject(oid);

        var result = repo.Theta("diff", "--stat", $"HEAD~1:{Model}", $"HEAD:{Model}");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        var error = result.Error.Trim();
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("git-theta: error GT2007:", error);
        Assert.Contains("'layers.2.weight'", error);
        Assert.Contains(oid, error);
        Assert.Contains("git theta fetch HEAD", error);
    }

    [Fact]
    public void Objects_missing_from_a_clone_are_fetched_from_the_remote()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        var remote = sandbox.InitBare();
        CommitCheckpoint(repo, Checkpoint.Random(4), "v1");
        CommitCheckpoint(repo, Checkpoint.Random(4).Add(1, 1e-3f), "v2");
        repo.GitOk("remote", "add", "origin", remote.Directory);
        repo.GitOk("push", "-q", "origin", "main");
        sandbox.Theta(sandbox.Root, "install", "--scope", "global").EnsureSuccess("global install");
        sandbox.Git(sandbox.Root, "clone", "-q", remote.Directory, "clone").EnsureSuccess("clone");
        var clone = new GitRepo(sandbox, sandbox.Path("clone"));

        // The checkout fetched what HEAD needs; the old value of the changed group is still on the remote only.
        var old = MetadataView.Parse(clone.Show($"HEAD~1:{Model}"))["layers.1.weight"].Oid;
        Assert.DoesNotContain(old, clone.StoredObjects());

        var output = clone.ThetaOk("diff", "--stat", $"HEAD~1:{Model}", $"HEAD:{Model}");

        Assert.Contains("max|Δ| 1.0e-03", Assert.Single(StatLines(output)));
        Assert.Contains(old, clone.StoredObjects());
    }

    private static void CommitCheckpoint(GitRepo repo, Checkpoint checkpoint, string message)
    {
        repo.Write(Model, checkpoint.ToBytes());
        repo.GitOk("add", ".");
        repo.Commit(message);
    }

    /// <summary>Writes the file, stages it (git add, or git theta add with <paramref name="add"/>) and commits.</summary>
    private static void CommitTensors(GitRepo repo, TensorFile file, string message, params string[] add)
    {
        repo.Write(Model, file.ToBytes());
        repo.GitOk("add", ".gitattributes");
        if (add.Length == 0)
        {
            repo.GitOk("add", Model);
        }
        else
        {
            repo.ThetaOk(new[] { "add", Model }.Concat(add).ToArray());
        }

        repo.Commit(message);
    }

    /// <summary>git with GIT_THETA_DIFF_STAT set to <paramref name="diffStat"/>, or unset when null.</summary>
    private string GitDiff(GitRepo repo, string? diffStat, params string[] arguments) =>
        sandbox.Run("git", arguments, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_THETA_DIFF_STAT"] = diffStat })
            .EnsureSuccess("git " + string.Join(' ', arguments)).Output;

    /// <summary>The --stat lines: those after the blank line that follows the listing.</summary>
    private static List<string> StatLines(string output)
    {
        var lines = output.Split('\n');
        var blank = Array.IndexOf(lines, string.Empty);
        return blank < 0 ? new List<string>() : lines.Skip(blank + 1).Where(l => l.Length > 0).ToList();
    }

    private static (double MaxAbsDelta, double DeltaNorm, double Relative, long Changed, long Total) Parse(string line)
    {
        var match = StatPattern().Match(line);
        Assert.True(match.Success, $"not a --stat line: {line}");
        double Number(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return (Number(1), Number(2), Number(3), long.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[5].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"max\|Δ\| (\S+)  ‖Δ‖ (\S+)  rel (\S+)  changed (\d+)/(\d+)$")]
    private static partial Regex StatPattern();
}
