using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

[Collection(PackedSdkCollection.Name)]
public sealed class MultiTargetingTests : IDisposable
{
    private readonly Workspace workspace;

    public MultiTargetingTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void A_multi_targeted_project_materializes_each_model_once_and_ships_it_to_every_framework()
    {
        var history = ModelHistory.Create(
            workspace,
            "lib/models/classifier.safetensors",
            source =>
            {
                ConsumerProject.Write(Path.Combine(source, "lib"), workspace.Sdk, ConsumerProject.Consumption.PackageReference, "    <ThetaModel Include=\"models/classifier.safetensors\" />\n", "Console.WriteLine();\n");
                var project = Path.Combine(source, "lib", "lib.csproj");
                File.WriteAllText(project, File.ReadAllText(project).Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFrameworks>net10.0;net8.0</TargetFrameworks>", StringComparison.Ordinal));
            });
        var lib = Path.Combine(history.CloneWithoutFilters(), "lib");

        var build = workspace.Dotnet(lib, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();

        Assert.Single(build.Output.Split('\n'), l => l.Contains("GitTheta: materialized models/classifier.safetensors", StringComparison.Ordinal));
        foreach (var framework in new[] { "net10.0", "net8.0" })
        {
            Assert.Equal(history.V2, File.ReadAllBytes(Path.Combine(lib, "bin", "Debug", framework, "models", "classifier.safetensors")));
        }
    }

    public void Dispose() => workspace.Dispose();
}
