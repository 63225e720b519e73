using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>git theta materialize, the command-line face of what the SDK's build does (CheckpointMaterializer).</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class MaterializeCommandTests : IDisposable
{
    private readonly Workspace workspace;

    public MaterializeCommandTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void Materialize_writes_a_revision_anywhere_fetching_objects_and_refuses_an_unknown_revision()
    {
        var history = ModelHistory.Create(workspace, "models/classifier.safetensors", _ => { });
        var clone = history.CloneWithoutFilters();
        var output = workspace.Path("out", "classifier-v1.safetensors");

        var written = workspace.ThetaOk(clone, "materialize", "models/classifier.safetensors", "--rev", "v1", "-o", output);

        Assert.Equal(history.V1, File.ReadAllBytes(output));
        Assert.Contains($"as of v1 ({history.V1Commit[..12]}", written);
        Assert.StartsWith("{", File.ReadAllText(Path.Combine(clone, history.ModelPath)));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(output)!, "*.theta-tmp"));

        var unknown = workspace.Theta(clone, "materialize", "models/classifier.safetensors", "--rev", "v9", "-o", workspace.Path("out", "x.safetensors"));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("error GT2010: unknown revision 'v9'", unknown.Error);
        Assert.False(File.Exists(workspace.Path("out", "x.safetensors")));
    }

    public void Dispose() => workspace.Dispose();
}
