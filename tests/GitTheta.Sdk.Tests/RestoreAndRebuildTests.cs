using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>Restore, then an offline build; rebuilds that follow an edited Revision and a moved tag.</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class RestoreAndRebuildTests : IDisposable
{
    private readonly Workspace workspace;

    public RestoreAndRebuildTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void Restore_fetches_every_object_then_a_build_ships_the_models_with_the_remote_gone()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(
                Path.Combine(source, "app"),
                workspace.Sdk,
                ConsumerProject.Consumption.Sdk,
                "    <ThetaModel Include=\"models/classifier.safetensors\" />\n    <ThetaModel Include=\"models/classifier.safetensors\" Revision=\"v1\" Link=\"models/classifier-v1.safetensors\" Name=\"ClassifierV1\" />\n",
                "Console.WriteLine();\n"));
        var app = Path.Combine(history.CloneWithoutFilters(), "app");

        var restore = workspace.Dotnet(app, "restore", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Contains("GitTheta: fetched ", restore.Log);

        // Offline: the LFS remote is gone, and the build neither restores nor fetches.
        Directory.Move(history.Remote, history.Remote + ".offline");
        var build = workspace.Dotnet(app, "build", "--no-restore", "-p:GitThetaConfigureRepository=false").EnsureSuccess();

        Assert.DoesNotContain("warning GT1003", build.Log);
        var output = Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "models");
        Assert.Equal(history.V2, File.ReadAllBytes(Path.Combine(output, "classifier.safetensors")));
        Assert.Equal(history.V1, File.ReadAllBytes(Path.Combine(output, "classifier-v1.safetensors")));
    }

    [Fact]
    public void A_rebuild_ships_the_new_version_after_the_Revision_is_edited_and_after_its_tag_moves()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/classifier.safetensors\" Revision=\"v1\" />\n", "Console.WriteLine(app.ThetaModels.Classifier.Commit);\n"));
        var clone = history.CloneWithoutFilters();
        var app = Path.Combine(clone, "app");
        var project = Path.Combine(app, "app.csproj");
        var shipped = Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "models", "classifier.safetensors");
        string Run() => workspace.Dotnet(app, Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "app.dll")).EnsureSuccess().Output.Trim();

        workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Equal(history.V1, File.ReadAllBytes(shipped));
        Assert.Equal(history.V1Commit, Run());

        // The Revision edited in the project: v1 -> main.
        File.WriteAllText(project, File.ReadAllText(project).Replace("Revision=\"v1\"", "Revision=\"main\"", StringComparison.Ordinal));
        var edited = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Contains("GitTheta: materialized models/classifier.safetensors as of main", edited.Log);
        Assert.Equal(history.V2, File.ReadAllBytes(shipped));
        Assert.Equal(history.V2Commit, Run());

        // A tag that names v1, then moves to main's commit.
        workspace.GitOk(clone, "tag", "release", "v1");
        File.WriteAllText(project, File.ReadAllText(project).Replace("Revision=\"main\"", "Revision=\"release\"", StringComparison.Ordinal));
        workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Equal(history.V1, File.ReadAllBytes(shipped));
        Assert.Equal(history.V1Commit, Run());

        workspace.GitOk(clone, "tag", "-f", "release", "main");
        var moved = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Contains("GitTheta: materialized models/classifier.safetensors as of release", moved.Log);
        Assert.Equal(history.V2, File.ReadAllBytes(shipped));
        Assert.Equal(history.V2Commit, Run());
    }

    public void Dispose() => workspace.Dispose();
}
