using GitTheta.Tool.Tests.Infrastructure;
using static GitTheta.Tool.Tests.EndToEnd.F32Checkpoint;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Real 'git merge' of branches that fine-tuned different and overlapping parameter groups, through the theta merge
/// driver: automatic one-sided merges, strategies from the environment, rules, attributes and config, the failure
/// without a terminal, the interactive menu on a pseudo-terminal, and the manual escape.
/// </summary>
public sealed class MergeTests : IDisposable
{
    private const string Model = "model.safetensors";
    private const string Down = "\u001b[B";

    private static readonly float[] W0 = Random(1);
    private static readonly float[] W1 = Random(2);
    private static readonly float[] W2 = Random(3);
    private static readonly float[] W3 = Random(4);

    private readonly Sandbox sandbox = new();

    /// <summary>
    /// main: base, then ours (W0 and W2 changed; W3 too when <paramref name="bothChangeW3"/>);
    /// feature: from base, theirs (W1 and W2 changed; W3 too). Leaves main checked out.
    /// </summary>
    private GitRepo Branches(out (float[] W0, float[] W1, float[] W2, float[] W3) ours, out (float[] W0, float[] W1, float[] W2, float[] W3) theirs, bool bothChangeW3 = false)
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Write(("layers.0.weight", W0), ("layers.1.weight", W1), ("layers.2.weight", W2), ("layers.3.weight", W3)));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");

        repo.GitOk("checkout", "-q", "-b", "feature");
        theirs = (W0, Shift(W1, 0.01f), Random(30), bothChangeW3 ? Random(31) : W3);
        repo.Write(Model, Write(("layers.0.weight", theirs.W0), ("layers.1.weight", theirs.W1), ("layers.2.weight", theirs.W2), ("layers.3.weight", theirs.W3)));
        repo.GitOk("commit", "-q", "-am", "theirs: layers 1, 2");

        repo.GitOk("checkout", "-q", "main");
        ours = (Shift(W0, -0.01f), W1, Random(20), bothChangeW3 ? Random(21) : W3);
        repo.Write(Model, Write(("layers.0.weight", ours.W0), ("layers.1.weight", ours.W1), ("layers.2.weight", ours.W2), ("layers.3.weight", ours.W3)));
        repo.GitOk("commit", "-q", "-am", "ours: layers 0, 2");
        return repo;
    }

    private static float[] Mean(float[] a, float[] b, double alpha = 0.5) =>
        a.Zip(b, (x, y) => (float)((alpha * x) + ((1 - alpha) * y))).ToArray();

    private ProcessResult Merge(GitRepo repo, IDictionary<string, string?>? environment = null) =>
        sandbox.Run("git", new[] { "merge", "--no-edit", "feature" }, repo.Directory, extra: environment);

    [Fact]
    public void Groups_changed_on_one_side_only_merge_with_no_prompt_and_no_terminal()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Write(("a", W0), ("b", W1), ("c", W2)));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");
        repo.GitOk("checkout", "-q", "-b", "feature");
        repo.Write(Model, Write(("a", W0), ("b", Shift(W1, 0.5f)), ("c", W2)));
        repo.GitOk("commit", "-q", "-am", "theirs");
        repo.GitOk("checkout", "-q", "main");
        repo.Write(Model, Write(("a", Shift(W0, 0.25f)), ("b", W1), ("c", W2)));
        repo.GitOk("commit", "-q", "-am", "ours");

        var merge = Merge(repo);

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        Assert.Equal(Write(("a", Shift(W0, 0.25f)), ("b", Shift(W1, 0.5f)), ("c", W2)), repo.Read(Model));
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        Assert.Equal(2, repo.GitOk("log", "-1", "--format=%P").Trim().Split(' ').Length);
        Assert.Contains("merged automatically", merge.Error);
    }

    [Fact]
    public void A_conflict_with_GIT_THETA_MERGE_STRATEGY_average_is_exactly_the_mean()
    {
        var repo = Branches(out var ours, out var theirs);

        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "average" });

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        var merged = Read(repo.Read(Model));
        Assert.Equal(ours.W0, merged["layers.0.weight"]);
        Assert.Equal(theirs.W1, merged["layers.1.weight"]);
        Assert.Equal(ours.W2.Zip(theirs.W2, (o, t) => (float)(((double)o + t) / 2)).ToArray(), merged["layers.2.weight"]);
        Assert.Equal(W3, merged["layers.3.weight"]);
        Assert.Contains("layers.2.weight (changed by both, differently): average:alpha=0.5 (GIT_THETA_MERGE_STRATEGY)", merge.Error);

        // The merge committed metadata like any other: a fresh checkout rebuilds the same file, and nothing is left modified.
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        var committed = repo.Read(Model);
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(committed, repo.Read(Model));
    }

    [Fact]
    public void A_conflict_without_a_strategy_and_without_a_terminal_fails_at_once_naming_every_conflicting_group()
    {
        var repo = Branches(out var ours, out _, bothChangeW3: true);

        // Standard input is a pipe that stays open: a driver that waited for an answer would never exit.
        using var session = TerminalSession.WithOpenPipe(sandbox, repo.Directory, new Dictionary<string, string?> { ["GIT_TERMINAL_PROMPT"] = null }, "git", "merge", "--no-edit", "feature");
        var exitCode = session.WaitForExit();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("error GT2017: model.safetensors: 2 parameter groups conflict and no merge strategy is set for them: layers.2.weight (changed by both, differently), layers.3.weight (changed by both, differently)", session.Output);
        Assert.Contains("GIT_THETA_MERGE_STRATEGY=<strategy>", session.Output);
        Assert.Contains("CONFLICT (content): Merge conflict in model.safetensors", session.Output);
        Assert.Equal("UU model.safetensors\n", repo.GitOk("status", "--porcelain"));
        Assert.Equal(Write(("layers.0.weight", ours.W0), ("layers.1.weight", ours.W1), ("layers.2.weight", ours.W2), ("layers.3.weight", ours.W3)), repo.Read(Model));

        // The conflicted file can be merged again in place, this time with a strategy.
        var again = sandbox.Run("git", new[] { "checkout", "-m", "--", Model }, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "ours" });
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(Shift(W1, 0.01f), Read(repo.Read(Model))["layers.1.weight"]);
    }

    [Fact]
    public void Rules_pick_strategies_per_group_ahead_of_the_environment()
    {
        var repo = Branches(out var ours, out var theirs, bothChangeW3: true);
        repo.GitOk("config", "--add", "theta.merge.rule", "layers.3.*=ours");
        repo.GitOk("config", "--add", "theta.merge.rule", "*.weight=average:alpha=0.25");
        repo.GitOk("config", "--add", "theta.merge.rule", "layers.[3].weight=task-arithmetic:lambda=0.5");

        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "theirs" });

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        var merged = Read(repo.Read(Model));
        Assert.Equal(Mean(ours.W2, theirs.W2, 0.25), merged["layers.2.weight"]);
        Assert.Equal(W3.Select((b, i) => (float)(b + (0.5 * ((ours.W3[i] - (double)b) + (theirs.W3[i] - (double)b))))).ToArray(), merged["layers.3.weight"]);
    }

    [Fact]
    public void The_theta_merge_attribute_beats_git_config_and_a_strategy_that_cannot_apply_is_reported()
    {
        var repo = Branches(out var ours, out var theirs);
        repo.GitOk("config", "theta.merge.strategy", "ours");
        File.AppendAllText(repo.Path(".gitattributes"), $"{Model} theta-merge=average-theirs-base:alpha=0.75\n");

        var merge = Merge(repo);

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        Assert.Equal(theirs.W2.Zip(W2, (t, b) => (float)((0.75 * t) + (0.25 * b))).ToArray(), Read(repo.Read(Model))["layers.2.weight"]);

        // A group one side deleted cannot be averaged: the driver says so instead of guessing.
        repo.GitOk("reset", "-q", "--hard", "HEAD~1");
        repo.GitOk("checkout", "-q", "-b", "drop", "HEAD~1");
        repo.Write(Model, Write(("layers.0.weight", W0), ("layers.1.weight", W1), ("layers.3.weight", W3)));
        repo.GitOk("commit", "-q", "-am", "drop layers.2");
        repo.GitOk("checkout", "-q", "main");
        var refused = sandbox.Run("git", new[] { "merge", "--no-edit", "drop" }, repo.Directory, extra: new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "average" });
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("strategy 'average' (α·ours + (1 − α)·theirs) cannot resolve parameter 'layers.2.weight', which was changed by ours, deleted by theirs", refused.Error);
        Assert.Equal(ours.W2, Read(repo.Read(Model))["layers.2.weight"]);
    }

    [Fact]
    public void A_bad_strategy_setting_fails_the_merge_with_a_configuration_error()
    {
        var repo = Branches(out _, out _);

        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "average:alpha=2" });

        Assert.NotEqual(0, merge.ExitCode);
        Assert.Contains("error GT2014: GIT_THETA_MERGE_STRATEGY: 'average:alpha=2' is not a valid merge strategy: alpha must be from 0 to 1", merge.Error);
    }

    [Fact]
    public void Groups_added_on_different_branches_merge_into_a_new_file_layout()
    {
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Write(("a", W0), ("b", W1)));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");
        repo.GitOk("checkout", "-q", "-b", "feature");
        repo.Write(Model, Write(("a", W0), ("b", W1), ("head.theirs", W3)));
        repo.GitOk("commit", "-q", "-am", "theirs adds a head");
        repo.GitOk("checkout", "-q", "main");
        repo.Write(Model, Write(("a", W0), ("adapter.ours", W2), ("b", W1)));
        repo.GitOk("commit", "-q", "-am", "ours adds an adapter");

        var merge = Merge(repo);

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        var file = repo.Read(Model);
        Assert.Equal(new[] { "a", "adapter.ours", "b", "head.theirs" }, Names(file));
        var merged = Read(file);
        Assert.Equal(W2, merged["adapter.ours"]);
        Assert.Equal(W3, merged["head.theirs"]);
        Assert.Contains("a new file layout", merge.Error);
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void A_checkpoint_committed_before_it_was_tracked_is_a_usable_ancestor()
    {
        var repo = ThetaRepoFactory.Create(sandbox);
        repo.Write(Model, Write(("a", W0), ("b", W1)));
        repo.GitOk("add", Model);
        repo.Commit("base, stored by plain git");
        repo.GitOk("checkout", "-q", "-b", "feature");
        repo.ThetaOk("track", Model);
        repo.Write(Model, Write(("a", W0), ("b", Shift(W1, 0.5f))));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("theirs: tracked, b changed");
        repo.GitOk("checkout", "-q", "main");
        repo.ThetaOk("track", Model);
        repo.Write(Model, Write(("a", Shift(W0, 0.5f)), ("b", W1)));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("ours: tracked, a changed");

        var merge = Merge(repo);

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        Assert.Equal(Write(("a", Shift(W0, 0.5f)), ("b", Shift(W1, 0.5f))), repo.Read(Model));
        Assert.Contains("2 merged automatically", merge.Error);
    }

    [Fact]
    public void Groups_stored_as_sparse_and_low_rank_updates_merge_from_the_values_each_branch_checks_out()
    {
        const int Columns = 16;
        var a = Random(50, Columns * Columns, 1);
        var b = Random(51, Columns * Columns, 1);
        var u = Random(52, Columns, 1);
        var v = Random(53, Columns, 1);
        var repo = ThetaRepoFactory.Create(sandbox, Model);
        repo.Write(Model, Write(Columns, ("a", a), ("b", b)));
        repo.GitOk("add", ".gitattributes", Model);
        repo.Commit("base");

        // Theirs: two elements of b change, stored as a sparse update.
        repo.GitOk("checkout", "-q", "-b", "feature");
        var sparseB = (float[])b.Clone();
        sparseB[3] += 0.5f;
        sparseB[100] -= 0.25f;
        repo.Write(Model, Write(Columns, ("a", a), ("b", sparseB)));
        repo.ThetaOk("add", Model, "--update-type", "sparse");
        repo.Commit("theirs: sparse change of b");

        // Ours: rank-1 changes of a and b, stored as low-rank updates.
        repo.GitOk("checkout", "-q", "main");
        float[] RankOne(float[] m, float scale) => m.Select((x, k) => x + (scale * u[k / Columns] * v[k % Columns])).ToArray();
        repo.Write(Model, Write(Columns, ("a", RankOne(a, 0.1f)), ("b", RankOne(b, 1))));
        repo.ThetaOk("add", Model, "--update-type", "low-rank");
        repo.Commit("ours: low-rank changes of a and b");

        Assert.Contains("\"type\": \"sparse\"", repo.Show("feature:" + Model));
        Assert.Contains("\"type\": \"low-rank\"", repo.Show("main:" + Model));

        // What each branch checks out (an update type may store a value within the tolerances, not bit for bit).
        repo.GitOk("checkout", "-q", "feature");
        var theirsValues = Read(repo.Read(Model));
        repo.GitOk("checkout", "-q", "main");
        var oursValues = Read(repo.Read(Model));

        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "average" });

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        var merged = Read(repo.Read(Model));
        Assert.Equal(oursValues["a"], merged["a"]);
        Assert.Equal(Mean(oursValues["b"], theirsValues["b"]), merged["b"]);
        Assert.Contains("\"type\": \"low-rank\"", repo.Show("HEAD:" + Model)); // a: our entry, kept as it is
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void The_menu_on_a_terminal_resolves_each_conflict_with_validated_arguments()
    {
        var repo = Branches(out var ours, out var theirs, bothChangeW3: true);

        using var terminal = TerminalSession.OnPseudoTerminal(sandbox, repo.Directory, new Dictionary<string, string?>(), "git merge --no-edit feature");
        terminal.WaitFor("How should layers.2.weight be merged?");
        terminal.Type(Down + Down + Down + Down + "\r"); // (nothing chosen), ours, theirs, base, [average]
        terminal.WaitFor("(weight of ours; theirs gets 1 − α)");
        terminal.Type("2\r");
        terminal.WaitFor("alpha must be from 0 to 1");
        terminal.Type("0.25\r");
        terminal.WaitFor("layers.2.weight: average:alpha=0.25");
        terminal.WaitFor("How should layers.3.weight be merged?");
        terminal.Type(Down + Down + "\r"); // (nothing chosen), ours, [theirs]
        var exitCode = terminal.WaitForExit();

        Assert.True(exitCode == 0, terminal.Output);
        Assert.Contains("Merged model.safetensors", terminal.Output);
        Assert.Contains("4 groups in the result (0 unchanged, 2 merged automatically, 2 conflicts resolved)", terminal.Output);
        var merged = Read(repo.Read(Model));
        Assert.Equal(ours.W0, merged["layers.0.weight"]);
        Assert.Equal(theirs.W1, merged["layers.1.weight"]);
        Assert.Equal(Mean(ours.W2, theirs.W2, 0.25), merged["layers.2.weight"]);
        Assert.Equal(theirs.W3, merged["layers.3.weight"]);
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Fact]
    public void Apply_to_all_remaining_and_quit_on_a_terminal()
    {
        var repo = Branches(out var ours, out var theirs, bothChangeW3: true);

        using (var quitting = TerminalSession.OnPseudoTerminal(sandbox, repo.Directory, new Dictionary<string, string?>(), "git merge --no-edit feature"))
        {
            quitting.WaitFor("How should layers.2.weight be merged?");
            quitting.WaitFor("quit: stop here");
            quitting.Type(string.Concat(Enumerable.Repeat(Down, 10)) + "\r"); // (nothing chosen), 8 strategies, "apply to all remaining", [quit]
            Assert.NotEqual(0, quitting.WaitForExit());
            Assert.Contains("merge stopped", quitting.Output);
        }

        Assert.Equal("UU model.safetensors\n", repo.GitOk("status", "--porcelain"));
        Assert.Equal(ours.W2, Read(repo.Read(Model))["layers.2.weight"]);

        using var terminal = TerminalSession.OnPseudoTerminal(sandbox, repo.Directory, new Dictionary<string, string?>(), $"git checkout -m -- {Model}");
        terminal.WaitFor("How should layers.2.weight be merged?");
        terminal.WaitFor("apply one strategy to this and the 1 remaining conflict");
        terminal.Type(string.Concat(Enumerable.Repeat(Down, 9)) + "\r");
        terminal.WaitFor("Which strategy, for this and every remaining conflict it can resolve?");
        terminal.Type(string.Concat(Enumerable.Repeat(Down, 8)) + "\r"); // (nothing chosen), ours … average-theirs-base, [task-arithmetic]
        terminal.WaitFor("(scale of the summed task vectors)");
        terminal.Type("\r"); // the default, λ = 1
        Assert.True(terminal.WaitForExit() == 0, terminal.Output);

        var merged = Read(repo.Read(Model));
        Assert.Equal(W2.Select((b, i) => (float)(b + ((ours.W2[i] - (double)b) + (theirs.W2[i] - (double)b)))).ToArray(), merged["layers.2.weight"]);
        Assert.Equal(W3.Select((b, i) => (float)(b + ((ours.W3[i] - (double)b) + (theirs.W3[i] - (double)b)))).ToArray(), merged["layers.3.weight"]);
        Assert.DoesNotContain("How should layers.3.weight", terminal.Output);
    }

    [Fact]
    public void A_stray_Enter_at_the_menu_chooses_nothing_and_the_menu_is_asked_again()
    {
        var repo = Branches(out var ours, out var theirs, bothChangeW3: true);

        using var terminal = TerminalSession.OnPseudoTerminal(sandbox, repo.Directory, new Dictionary<string, string?>(), "git merge --no-edit feature");
        terminal.WaitFor("How should layers.2.weight be merged?");
        terminal.Type("\r");
        terminal.WaitFor("Nothing chosen: move to a choice with the arrow keys, then press Enter");
        terminal.WaitFor("How should layers.2.weight be merged?", 2);
        terminal.Type(Down + Down + "\r"); // (nothing chosen), ours, [theirs]
        terminal.WaitFor("How should layers.3.weight be merged?");
        terminal.Type("\r");
        terminal.WaitFor("How should layers.3.weight be merged?", 2);
        terminal.Type(Down + "\r"); // (nothing chosen), [ours]
        Assert.True(terminal.WaitForExit() == 0, terminal.Output);

        Assert.Equal(2, Count(terminal.Output, "Nothing chosen"));
        var merged = Read(repo.Read(Model));
        Assert.Equal(theirs.W2, merged["layers.2.weight"]);
        Assert.Equal(ours.W3, merged["layers.3.weight"]);
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
    }

    [Theory]
    [InlineData("at the menu")]
    [InlineData("at a strategy's argument")]
    public void Ctrl_D_on_the_terminal_stops_the_merge_with_GT2017_and_merges_nothing(string where)
    {
        var repo = Branches(out var ours, out _, bothChangeW3: true);

        // The configured driver, wrapped to show its own exit code (git reports any failure as a conflict).
        var driver = repo.GitOk("config", "merge.theta.driver").Trim();
        repo.GitOk("config", "merge.theta.driver", driver + "; code=$?; echo \"driver exit code $code\" >&2; exit $code");
        using var terminal = TerminalSession.OnPseudoTerminal(sandbox, repo.Directory, new Dictionary<string, string?>(), "git merge --no-edit feature");
        terminal.WaitFor("How should layers.2.weight be merged?");
        if (where == "at a strategy's argument")
        {
            terminal.Type(Down + Down + Down + Down + "\r"); // (nothing chosen), ours, theirs, base, [average]
            terminal.WaitFor("(weight of ours; theirs gets 1 − α)");
        }

        terminal.Type("\u0004");
        var exitCode = terminal.WaitForExit();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("git-theta: error GT2017: model.safetensors: input ended (Ctrl-D) at the merge menu before every conflict had a strategy; nothing was merged", terminal.Output);
        Assert.Contains("driver exit code 6", terminal.Output);
        Assert.Contains("CONFLICT (content): Merge conflict in model.safetensors", terminal.Output);
        Assert.DoesNotContain("How should layers.3.weight", terminal.Output);
        Assert.Equal("UU model.safetensors\n", repo.GitOk("status", "--porcelain"));
        Assert.Equal(Write(("layers.0.weight", ours.W0), ("layers.1.weight", ours.W1), ("layers.2.weight", ours.W2), ("layers.3.weight", ours.W3)), repo.Read(Model));
    }

    [Fact]
    public void Manual_merge_writes_the_three_checkpoints_and_the_user_finishes_with_git_add()
    {
        var repo = Branches(out var ours, out var theirs);

        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MANUAL_MERGE"] = "1" });

        Assert.NotEqual(0, merge.ExitCode);
        Assert.Contains("wrote model.ours.safetensors, model.theirs.safetensors, model.base.safetensors", merge.Error);
        Assert.Contains("save the result as model.safetensors, then run 'git add model.safetensors'", merge.Error);
        Assert.Equal(Write(("layers.0.weight", ours.W0), ("layers.1.weight", ours.W1), ("layers.2.weight", ours.W2), ("layers.3.weight", W3)), repo.Read("model.ours.safetensors"));
        Assert.Equal(Write(("layers.0.weight", W0), ("layers.1.weight", theirs.W1), ("layers.2.weight", theirs.W2), ("layers.3.weight", W3)), repo.Read("model.theirs.safetensors"));
        Assert.Equal(Write(("layers.0.weight", W0), ("layers.1.weight", W1), ("layers.2.weight", W2), ("layers.3.weight", W3)), repo.Read("model.base.safetensors"));

        var combined = Write(("layers.0.weight", ours.W0), ("layers.1.weight", theirs.W1), ("layers.2.weight", Random(99)), ("layers.3.weight", W3));
        repo.Write(Model, combined);
        foreach (var side in new[] { "ours", "theirs", "base" })
        {
            File.Delete(repo.Path($"model.{side}.safetensors"));
        }

        repo.GitOk("add", Model);
        repo.GitOk("commit", "-q", "--no-edit");
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain"));
        File.Delete(repo.Path(Model));
        repo.GitOk("checkout", "--", Model);
        Assert.Equal(combined, repo.Read(Model));
    }

    [Fact]
    public void Manual_merge_never_writes_over_a_file_it_did_not_write_and_takes_the_next_free_name()
    {
        var repo = Branches(out var ours, out var theirs);

        // A tracked symlink, the user's own untracked file and a dangling symlink hold the usual names.
        repo.Write("notes.txt", "the user's notes\n"u8.ToArray());
        File.CreateSymbolicLink(repo.Path("model.theirs.safetensors"), "notes.txt");
        repo.GitOk("add", "notes.txt", "model.theirs.safetensors");
        repo.Commit("notes, and a link to them");
        repo.Write("model.ours.safetensors", "my own experiment\n"u8.ToArray());
        File.CreateSymbolicLink(repo.Path("model.base.safetensors"), "nowhere");

        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MANUAL_MERGE"] = "1" });

        Assert.NotEqual(0, merge.ExitCode);
        Assert.Equal("my own experiment\n", File.ReadAllText(repo.Path("model.ours.safetensors")));
        Assert.Equal("notes.txt", new FileInfo(repo.Path("model.theirs.safetensors")).LinkTarget);
        Assert.Equal("the user's notes\n", File.ReadAllText(repo.Path("notes.txt")));
        Assert.Equal("nowhere", new FileInfo(repo.Path("model.base.safetensors")).LinkTarget);
        Assert.Contains("wrote model.ours.1.safetensors (model.ours.safetensors is not git-theta's and stays as it is), model.theirs.1.safetensors (model.theirs.safetensors is not git-theta's and stays as it is), model.base.1.safetensors (model.base.safetensors is not git-theta's and stays as it is)", merge.Error);
        Assert.Equal(Write(("layers.0.weight", ours.W0), ("layers.1.weight", ours.W1), ("layers.2.weight", ours.W2), ("layers.3.weight", W3)), repo.Read("model.ours.1.safetensors"));
        Assert.Equal(Write(("layers.0.weight", W0), ("layers.1.weight", theirs.W1), ("layers.2.weight", theirs.W2), ("layers.3.weight", W3)), repo.Read("model.theirs.1.safetensors"));
        Assert.Equal(Write(("layers.0.weight", W0), ("layers.1.weight", W1), ("layers.2.weight", W2), ("layers.3.weight", W3)), repo.Read("model.base.1.safetensors"));
        Assert.Equal("UU model.safetensors\n", repo.GitOk("status", "--porcelain", "--untracked-files=no"));
    }

    [Fact]
    public void Manual_merge_refuses_with_GT2026_when_every_name_for_a_version_is_taken_and_writes_nothing()
    {
        var repo = Branches(out var ours, out _);
        var taken = new[] { "model.ours.safetensors" }.Concat(Enumerable.Range(1, 9).Select(i => $"model.ours.{i}.safetensors")).ToList();
        foreach (var name in taken)
        {
            repo.Write(name, System.Text.Encoding.UTF8.GetBytes(name));
        }

        var driver = repo.GitOk("config", "merge.theta.driver").Trim();
        repo.GitOk("config", "merge.theta.driver", driver + "; code=$?; echo \"driver exit code $code\" >&2; exit $code");
        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MANUAL_MERGE"] = "1" });

        Assert.NotEqual(0, merge.ExitCode);
        Assert.Contains("git-theta: error GT2026: model.safetensors: manual merge (GIT_THETA_MANUAL_MERGE=1) needs a file for the ours version, but model.ours.safetensors and model.ours.1.safetensors to model.ours.9.safetensors all exist and git-theta did not write them", merge.Error);
        Assert.Contains("driver exit code 4", merge.Error);
        Assert.All(taken, name => Assert.Equal(name, File.ReadAllText(repo.Path(name))));
        Assert.False(File.Exists(repo.Path("model.theirs.safetensors")));
        Assert.False(File.Exists(repo.Path("model.base.safetensors")));
        Assert.Equal("UU model.safetensors\n", repo.GitOk("status", "--porcelain", "--untracked-files=no"));
        Assert.Equal(Write(("layers.0.weight", ours.W0), ("layers.1.weight", ours.W1), ("layers.2.weight", ours.W2), ("layers.3.weight", W3)), repo.Read(Model));
    }

    [Fact]
    public void Manual_merge_that_cannot_build_every_version_leaves_no_file_behind()
    {
        var repo = Branches(out _, out _);

        // Their layers.1.weight is only in the local store, and there is no remote to fetch it from.
        var oid = MetadataView.Parse(repo.Show("feature:" + Model))["layers.1.weight"].Oid;
        repo.DeleteObject(oid);

        // What a manual merge killed while building would have left (int.MaxValue is no process id).
        var staging = Path.Combine(repo.Directory, ".git", "theta", "manual-merge");
        var killed = Path.Combine(staging, $"staging-{int.MaxValue}-0123456789abcdef");
        Directory.CreateDirectory(killed);
        File.WriteAllBytes(Path.Combine(killed, "0"), new byte[100]);

        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MANUAL_MERGE"] = "1" });

        Assert.NotEqual(0, merge.ExitCode);
        Assert.Contains("error GT2007", merge.Error);
        Assert.Equal("UU model.safetensors\n", repo.GitOk("status", "--porcelain"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(repo.Directory, "model.*.safetensors"));
        Assert.Empty(Directory.EnumerateDirectories(staging, "staging-*"));
    }

    [Fact]
    public void Side_files_left_when_git_aborts_a_manual_merge_are_reused_and_then_removed_by_the_next_merge_unless_edited()
    {
        var repo = Branches(out var ours, out var theirs);
        repo.GitOk("checkout", "-q", "feature");
        repo.Write("notes.txt", "theirs\n"u8.ToArray());
        repo.GitOk("add", "notes.txt");
        repo.Commit("theirs: notes");
        repo.GitOk("checkout", "-q", "main");

        // git runs the driver, then refuses to overwrite the untracked notes.txt and aborts the whole merge.
        repo.Write("notes.txt", "mine\n"u8.ToArray());
        var aborted = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MANUAL_MERGE"] = "1" });
        Assert.NotEqual(0, aborted.ExitCode);
        Assert.Contains("Aborting", aborted.Error);
        Assert.Equal(string.Empty, repo.GitOk("status", "--porcelain", "--untracked-files=no"));
        var leftovers = new[] { "model.ours.safetensors", "model.theirs.safetensors", "model.base.safetensors" };
        Assert.All(leftovers, name => Assert.True(File.Exists(repo.Path(name)), name));

        // Run again: git-theta's own unchanged files are written again under the same names.
        File.Delete(repo.Path("notes.txt"));
        var again = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MANUAL_MERGE"] = "1" });
        Assert.Contains("wrote model.ours.safetensors, model.theirs.safetensors, model.base.safetensors.", again.Error);
        Assert.Equal("UU model.safetensors\nA  notes.txt\n", repo.GitOk("status", "--porcelain", "--untracked-files=no"));

        // Given up, with one side file edited by the user: the next merge of the file removes only the unchanged ones.
        repo.GitOk("merge", "--abort");
        File.AppendAllText(repo.Path("model.theirs.safetensors"), "edited");
        var merge = Merge(repo, new Dictionary<string, string?> { ["GIT_THETA_MERGE_STRATEGY"] = "ours" });

        Assert.True(merge.ExitCode == 0, merge.Error + merge.Output);
        Assert.Contains("removed model.ours.safetensors, model.base.safetensors, left unchanged by an earlier manual merge of model.safetensors", merge.Error);
        Assert.False(File.Exists(repo.Path("model.ours.safetensors")));
        Assert.False(File.Exists(repo.Path("model.base.safetensors")));
        Assert.EndsWith("edited", File.ReadAllText(repo.Path("model.theirs.safetensors")));
        Assert.Equal(ours.W2, Read(repo.Read(Model))["layers.2.weight"]);
        Assert.Equal(theirs.W1, Read(repo.Read(Model))["layers.1.weight"]);
    }

    public void Dispose() => sandbox.Dispose();

    private static int Count(string haystack, string needle) =>
        (haystack.Length - haystack.Replace(needle, string.Empty, StringComparison.Ordinal).Length) / needle.Length;
}
