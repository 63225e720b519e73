using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>samples/ModelConsumer, as its README runs it: its own repository with the model's history, the SDK's version in global.json.</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class SampleTests : IDisposable
{
    private readonly Workspace workspace;

    public SampleTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void ModelConsumer_builds_in_a_clone_and_prints_the_pinned_revision_and_parameter_count()
    {
        var sample = Path.Combine(workspace.Sdk.RepositoryRoot, "samples", "ModelConsumer");
        var quickstart = Path.Combine(workspace.Sdk.RepositoryRoot, "samples", "quickstart");
        var history = ModelHistory.Create(
            workspace,
            "ModelConsumer/models/classifier.safetensors",
            source =>
            {
                var project = Path.Combine(source, "ModelConsumer");
                foreach (var file in new[] { "ModelConsumer.csproj", "Program.cs", "global.json" })
                {
                    File.Copy(Path.Combine(sample, file), Path.Combine(project, file));
                }

                // The sample's own files, except where the package comes from: this run's version, from this run's feed.
                var globalJson = Path.Combine(project, "global.json");
                File.WriteAllText(globalJson, File.ReadAllText(globalJson).Replace("\"GitTheta.Sdk\": \"1.0.0\"", $"\"GitTheta.Sdk\": \"{workspace.Sdk.Version}\"", StringComparison.Ordinal));
                Assert.Contains(workspace.Sdk.Version, File.ReadAllText(globalJson));
                ConsumerProject.WriteNuGetConfig(project, workspace.Sdk);
            },
            File.ReadAllBytes(Path.Combine(quickstart, "v1.safetensors")),
            File.ReadAllBytes(Path.Combine(quickstart, "v2.safetensors")));
        var project = Path.Combine(history.CloneWithoutFilters(), "ModelConsumer");

        workspace.Dotnet(project, "build").EnsureSuccess();
        var run = workspace.Dotnet(project, Path.Combine(project, "bin", "Debug", "net10.0", "ModelConsumer.dll"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"revision:   v1 (commit {history.V1Commit[..12]})", run.Output);
        Assert.Contains($"parameters: {SafetensorsFile.ParameterCount(history.V1)} in ", run.Output);
        Assert.Contains($"bytes:      {history.V1.Length}", run.Output);
        Assert.Equal(history.V1, File.ReadAllBytes(Path.Combine(project, "bin", "Debug", "net10.0", "models", "classifier.safetensors")));
    }

    public void Dispose() => workspace.Dispose();
}
