using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>
/// A repository configured by the SDK keeps working after 'dotnet nuget locals … --clear' empties the NuGet packages
/// folder the SDK's git-theta came from; and with no git-theta left at all, git fails with the repair (GT1012) and never
/// deletes a checkpoint.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class NuGetCacheClearTests : IDisposable
{
    private readonly Workspace workspace;

    public NuGetCacheClearTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void The_filter_survives_a_NuGet_cache_clear_and_without_any_git_theta_git_fails_with_the_repair_and_deletes_nothing()
    {
        // A packages folder of this test's own, so that clearing it takes nothing from the other tests.
        var packages = workspace.Path("nuget-packages");
        workspace.Overrides["NUGET_PACKAGES"] = packages;
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/classifier.safetensors\" />\n", "Console.WriteLine();\n"));
        var clone = history.CloneWithoutFilters();
        var app = Path.Combine(clone, "app");
        var model = Path.Combine(clone, history.ModelPath);

        var build = workspace.Dotnet(app, "build").EnsureSuccess();
        Assert.Contains("GitTheta: configured git-theta in " + clone, build.Log);
        Assert.Equal(history.V2, File.ReadAllBytes(model));
        Assert.DoesNotContain(packages, workspace.GitOk(clone, "config", "--local", "--get-regexp", "^(filter|diff|merge)\\.theta\\."));

        workspace.Dotnet(app, "nuget", "locals", "global-packages", "--clear").EnsureSuccess();
        Assert.False(Directory.Exists(Path.Combine(packages, "gittheta.sdk")), "the cache clear removed the package");

        // git still runs git-theta: a changed checkpoint shows as modified, checks out again, and stages as metadata.
        File.WriteAllBytes(model, history.V1);
        var status = workspace.Git(clone, "status", "--porcelain", "--untracked-files=no").EnsureSuccess();
        Assert.Equal(" M " + history.ModelPath, status.Output.TrimEnd());
        Assert.Equal(string.Empty, status.Error);
        workspace.GitOk(clone, "checkout", "--", history.ModelPath);
        Assert.Equal(history.V2, File.ReadAllBytes(model));
        File.WriteAllBytes(model, history.V1);
        workspace.GitOk(clone, "add", history.ModelPath);
        Assert.Contains("git-theta/1", workspace.GitOk(clone, "cat-file", "blob", ":" + history.ModelPath));
        workspace.GitOk(clone, "reset", "-q", "--hard");
        Assert.Equal(history.V2, File.ReadAllBytes(model));

        // No git-theta anywhere (the repository's copy removed too): git refuses to store, says how to repair, deletes nothing.
        Directory.Delete(Path.Combine(clone, ".git", "theta", "tool"), recursive: true);
        var staged = workspace.GitOk(clone, "rev-parse", ":" + history.ModelPath).Trim();
        File.WriteAllBytes(model, history.V1);
        var add = workspace.Git(clone, "add", history.ModelPath);
        Assert.NotEqual(0, add.ExitCode);
        Assert.Contains("git-theta: error GT1012: the git-theta that this repository's filters run is missing", add.Error);
        Assert.Contains("Repair: run 'dotnet build' in a project that uses GitTheta.Sdk, or install the tool ('dotnet tool install -g GitTheta.Tool') and run 'git theta install' here.", add.Error);
        Assert.Equal(staged, workspace.GitOk(clone, "rev-parse", ":" + history.ModelPath).Trim());

        // (A size of its own, so that git sees the change from the file's size and replaces the file, instead of asking clean.)
        File.WriteAllBytes(model, history.V1.Concat(new byte[8]).ToArray());
        var checkout = workspace.Git(clone, "checkout", "--", history.ModelPath);
        Assert.Contains("git-theta: error GT1012: ", checkout.Error);
        Assert.True(File.Exists(model), "git deleted the checkpoint");
        Assert.Equal(workspace.GitOk(clone, "cat-file", "blob", staged), File.ReadAllText(model));

        // The repair the message names: a build brings the package back, configures again and rebuilds the checkpoint.
        var repair = workspace.Dotnet(app, "build").EnsureSuccess();
        Assert.Contains("GitTheta: configured git-theta in " + clone, repair.Log);
        Assert.Equal(history.V2, File.ReadAllBytes(model));
        Assert.Equal(string.Empty, workspace.GitOk(clone, "status", "--porcelain", "--untracked-files=no").Trim());
    }

    public void Dispose() => workspace.Dispose();
}
