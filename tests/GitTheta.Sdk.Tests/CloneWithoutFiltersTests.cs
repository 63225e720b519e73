using System.Text.Json;
using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>
/// The main scenario: a clone made without the theta filters holds metadata where the checkpoint should be, and its
/// objects are only on the remote. Build, publish and clean must still ship the right bytes, through the tasks alone.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class CloneWithoutFiltersTests : IDisposable
{
    private const string Items = """
            <ThetaModel Include="models/classifier.safetensors" />
            <ThetaModel Include="models/classifier.safetensors" Revision="v1" Link="models/classifier-v1.safetensors" Name="ClassifierV1" />
            <ThetaModel Include="models/retired.safetensors" Revision="v1" />

        """;

    private const string Program = """
        using app;

        Console.WriteLine($"Classifier|{ThetaModels.Classifier.RelativePath}|{ThetaModels.Classifier.Revision}|{ThetaModels.Classifier.Commit}|{ThetaModels.Classifier.ParameterCount}|{ThetaModels.Classifier.Bytes}|{new FileInfo(ThetaModels.Classifier.Path).Length}");
        Console.WriteLine($"ClassifierV1|{ThetaModels.ClassifierV1.RelativePath}|{ThetaModels.ClassifierV1.Revision}|{ThetaModels.ClassifierV1.Commit}|{ThetaModels.ClassifierV1.ParameterCount}|{ThetaModels.ClassifierV1.Bytes}|{new FileInfo(ThetaModels.ClassifierV1.Path).Length}");

        """;

    private readonly Workspace workspace;

    public CloneWithoutFiltersTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void Build_materializes_pins_and_is_incremental_publish_ships_and_verifies_clean_removes()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, Items, Program),
            retiredModelPath: "app/models/retired.safetensors");
        var app = Path.Combine(history.CloneWithoutFilters(), "app");
        var output = Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework);

        // Build: both checkpoints are materialized from the remote's objects, through the tasks alone (no filter configured).
        var build = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Contains("GitTheta: materialized models/classifier.safetensors from its git-theta metadata", build.Log);
        Assert.Contains("GitTheta: materialized models/classifier.safetensors as of v1", build.Log);
        Assert.Equal(history.V2, File.ReadAllBytes(Path.Combine(output, "models", "classifier.safetensors")));
        Assert.Equal(history.V1, File.ReadAllBytes(Path.Combine(output, "models", "classifier-v1.safetensors")));
        Assert.Equal(history.V1, File.ReadAllBytes(Path.Combine(output, "models", "retired.safetensors")));
        Assert.False(File.Exists(Path.Combine(app, "models", "retired.safetensors")), "the pinned model is only in v1");
        Assert.StartsWith("{", File.ReadAllText(Path.Combine(app, "models", "classifier.safetensors")));
        Assert.Equal(string.Empty, workspace.Git(app, "config", "--get-regexp", "^filter\\.theta\\.").Output.Trim());

        // The generated class and the manifest describe what shipped: v1's commit for the pinned model, HEAD's for the other.
        var run = workspace.Dotnet(app, Path.Combine(output, "app.dll")).EnsureSuccess();
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parameters = SafetensorsFile.ParameterCount(history.V1);
        Assert.Contains($"Classifier|models/classifier.safetensors||{history.V2Commit}|{parameters}|{history.V2.Length}|{history.V2.Length}", lines);
        Assert.Contains($"ClassifierV1|models/classifier-v1.safetensors|v1|{history.V1Commit}|{parameters}|{history.V1.Length}|{history.V1.Length}", lines);
        using (var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "app.thetamodels.json"))))
        {
            var pinned = manifest.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "ClassifierV1");
            Assert.Equal("v1", pinned.GetProperty("revision").GetString());
            Assert.Equal(history.V1Commit, pinned.GetProperty("commit").GetString());
            Assert.Equal(workspace.GitOk(history.Source, "rev-parse", $"v1:{history.ModelPath}").Trim(), pinned.GetProperty("metadataOid").GetString());
            Assert.Equal(history.V1.Length, pinned.GetProperty("bytes").GetInt64());
        }

        // A second build with nothing changed does no materialization work, and compiles nothing either (a model absent
        // from the work tree is no missing compiler input).
        var again = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Contains("Skipping target \"GitThetaMaterializeModels\" because all output files are up-to-date", again.Log);
        Assert.DoesNotContain("GitTheta: materialized", again.Log);
        Assert.Contains("Skipping target \"CoreCompile\" because all output files are up-to-date", again.Log);

        // Single-file publish keeps the models loose beside the executable, byte for byte, and verifies them.
        var publishDirectory = workspace.Path("publish");
        var publish = workspace.Dotnet(app, "publish", "-c", "Debug", "-r", "linux-x64", "--self-contained", "false", "-p:PublishSingleFile=true", "-p:GitThetaVerify=true", "-p:GitThetaConfigureRepository=false", "-o", publishDirectory).EnsureSuccess();
        Assert.Equal(history.V2, File.ReadAllBytes(Path.Combine(publishDirectory, "models", "classifier.safetensors")));
        Assert.Equal(history.V1, File.ReadAllBytes(Path.Combine(publishDirectory, "models", "classifier-v1.safetensors")));
        Assert.True(File.Exists(Path.Combine(publishDirectory, "app")), "the single-file executable");
        Assert.False(File.Exists(Path.Combine(publishDirectory, "app.dll")), "a single-file publish bundles the assembly");
        Assert.True(File.Exists(Path.Combine(publishDirectory, "app.thetamodels.json")));
        Assert.Contains("GitTheta: verified models/classifier.safetensors in the publish folder", publish.Log);
        Assert.Contains("GitTheta: verified models/classifier-v1.safetensors in the publish folder", publish.Log);

        // Verification is not a formality: a model damaged after materialization fails the publish with GT1007.
        var materialized = Path.Combine(app, "obj", "gittheta", "models", "classifier-v1.safetensors");
        var damaged = File.ReadAllBytes(materialized);
        damaged[^1] ^= 0xFF;
        File.WriteAllBytes(materialized, damaged);
        var failed = workspace.Dotnet(app, "publish", "-c", "Debug", "-p:GitThetaVerify=true", "-p:GitThetaConfigureRepository=false", "-o", workspace.Path("publish-damaged"));
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("error GT1007", failed.Log);
        Assert.Contains($"at byte {history.V1.Length - 1}", failed.Log);

        // Clean removes what was materialized.
        workspace.Dotnet(app, "clean", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.False(File.Exists(materialized));
        Assert.False(File.Exists(Path.Combine(app, "obj", "gittheta", "models", "classifier.safetensors")));
        Assert.False(File.Exists(Path.Combine(output, "models", "classifier.safetensors")));
    }

    public void Dispose() => workspace.Dispose();
}
