using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>The analyzers packed in GitTheta.Sdk, fed by its targets, in a real build (docs/analyzers.md, "The contract").</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class AnalyzerTests : IDisposable
{
    private const string Program = """
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "scratch/experiment.safetensors"));
        Console.WriteLine(bytes.Length);

        """;

    private readonly Workspace workspace;

    public AnalyzerTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void An_undeclared_model_loaded_by_code_is_GT0001_and_GT0002_until_it_is_declared_as_a_ThetaModel()
    {
        const string declared = "    <ThetaModel Include=\"models/classifier.safetensors\" />\n";
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source =>
            {
                ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, declared, Program);
                Directory.CreateDirectory(Path.Combine(source, "app", "scratch"));
                File.WriteAllBytes(Path.Combine(source, "app", "scratch", "experiment.safetensors"), SafetensorsFile.Create(groups: 2, seed: 5));
            });
        var app = Path.Combine(history.Source, "app");

        var undeclared = workspace.Dotnet(app, "build").EnsureSuccess();
        Assert.Contains(Path.Combine(app, "Program.cs") + "(1,", Line(undeclared, "warning GT0001"));
        Assert.Contains("'scratch/experiment.safetensors'", Line(undeclared, "warning GT0001"));
        Assert.Contains(Path.Combine(app, "scratch", "experiment.safetensors") + "(1,1): warning GT0002", Line(undeclared, "warning GT0002"));
        Assert.DoesNotContain("classifier.safetensors' is in the project folder", undeclared.Log);

        // Declared (and tracked, so that only the analyzers' verdict is in question): neither diagnostic remains.
        ConsumerProject.Write(app, workspace.Sdk, ConsumerProject.Consumption.Sdk, declared + "    <ThetaModel Include=\"scratch/experiment.safetensors\" />\n", Program, "    <GitThetaAutoTrack>true</GitThetaAutoTrack>\n");
        var declaredBuild = workspace.Dotnet(app, "build").EnsureSuccess();
        Assert.DoesNotContain("GT0001", declaredBuild.Log);
        Assert.DoesNotContain("GT0002", declaredBuild.Log);
        Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "scratch", "experiment.safetensors")));
    }

    private static string Line(ProcessResult build, string diagnostic) =>
        build.Output.Split('\n').FirstOrDefault(l => l.Contains(diagnostic, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"the build output has no '{diagnostic}':\n{build.Output}");

    public void Dispose() => workspace.Dispose();
}
