using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// GitTheta.TorchSharp with real TorchSharp (through tests/TorchSharpLoadProbe, started with the native environment)
/// on the TorchSharp fixtures committed with the built git-theta.
/// </summary>
public sealed class TorchSharpLoadTests : IDisposable
{
    private const string File = "models/convnet.dat";
    private readonly Sandbox sandbox = new();
    private readonly GitRepo repo;

    public TorchSharpLoadTests()
    {
        repo = ThetaRepoFactory.Create(sandbox, File);
        repo.Write(File, FormatFixtures.Read("torchsharp/convnet.dat"));
        repo.GitOk("add", ".");
        repo.Commit("trained");
        repo.Write(File, FormatFixtures.ReadChanged("torchsharp/convnet.dat"));
        repo.GitOk("add", ".");
        repo.Commit("fine-tuned two layers");
    }

    [Fact]
    public void Each_revision_loads_exactly_what_TorchSharps_Module_load_reads_from_that_version_of_the_file()
    {
        var first = Probe("same-as-module-load", "HEAD~1", FormatFixtures.PathOf("torchsharp/convnet.dat"));
        Assert.Contains($"loaded 15, missing 0, unexpected 0, commit {repo.GitOk("rev-parse", "HEAD~1").Trim()}", first);
        Assert.Contains("same as Module.load", first);

        var second = Probe("same-as-module-load", "HEAD", FormatFixtures.ChangedPathOf("torchsharp/convnet.dat"));
        Assert.Contains("same as Module.load", second);
    }

    [Fact]
    public void A_strict_load_into_another_module_is_GT2035_naming_the_missing_and_unexpected_entries_and_changes_nothing()
    {
        var output = Probe("strict-mismatch", "HEAD");

        Assert.Contains("GT2035: models/convnet.dat@HEAD: the checkpoint does not match the module: missing 'extra.weight', 'extra.bias', unexpected 'classifier.bias', 'classifier.weight', 'features.1.bias'", output);
        Assert.Contains("and 3 more; pass strict: false to load the entries that match.", output);
        Assert.Contains("module unchanged", output);
    }

    [Fact]
    public void A_non_strict_load_sets_the_matching_entries_and_reports_the_rest()
    {
        var output = Probe("non-strict", "HEAD");

        Assert.Contains("loaded: features.0.weight, features.0.bias\n", output);
        Assert.Contains("missing: extra.weight, extra.bias\n", output);
        Assert.Contains("unexpected: 13\n", output);
        Assert.Contains("module changed: features.0.weight, features.0.bias", output);
    }

    [Fact]
    public void A_group_of_another_shape_is_GT2034_and_no_entry_is_loaded()
    {
        var output = Probe("shape-mismatch", "HEAD~1");

        Assert.Contains("GT2034: models/convnet.dat@HEAD~1: group 'classifier.weight' is F32 [10, 256] but the module's 'classifier.weight' is Float32 [12, 256]", output);
        Assert.Contains("module unchanged", output);
    }

    [Fact]
    public void A_module_saved_into_the_tracked_checkpoint_stores_only_the_changed_layer_on_git_add()
    {
        var before = repo.StoredObjects();

        var output = Probe("save", "HEAD");
        repo.GitOk("add", File);

        Assert.Contains($"saved {repo.Path(File)}", output);
        var added = repo.StoredObjects().Except(before).ToList();
        Assert.Single(added);
        Assert.Contains("1 of 15 parameter groups differ: 1 modified, 0 added, 0 removed", repo.GitOk("diff", "--cached", "--", File));
        Assert.Contains("classifier.weight", repo.GitOk("diff", "--cached", "--", File));
    }

    public void Dispose() => sandbox.Dispose();

    private string Probe(string scenario, string revision, params string[] more)
    {
        var arguments = new[] { TorchSharpNativeRuntime.ProbeAssembly, scenario, repo.Directory, File, revision }.Concat(more);
        var run = sandbox.Run("dotnet", arguments, repo.Directory, extra: new Dictionary<string, string?>(TorchSharpNativeRuntime.Environment));
        Assert.True(run.ExitCode == 0, $"the probe failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        return run.Output;
    }
}
