using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>The GT1xxx diagnostics that need a build of their own: each one line, located at the project, no stack trace.</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class DiagnosticsTests : IDisposable
{
    private readonly Workspace workspace;

    public DiagnosticsTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void A_missing_model_file_is_GT1001()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/renamed.safetensors\" />\n", "Console.WriteLine();\n"));
        var app = Path.Combine(history.Source, "app");

        var build = workspace.Dotnet(app, "build");

        Assert.NotEqual(0, build.ExitCode);
        AssertEveryLine(build, "GT1001", Path.Combine(app, "app.csproj") + " : error GT1001: ThetaModel 'models/renamed.safetensors' does not exist; check it out ('git checkout -- app/models/renamed.safetensors' in " + history.Source + "), fix the Include, or pin a Revision that has it.");
    }

    [Fact]
    public void Objects_the_remote_no_longer_has_are_GT1003_naming_the_object()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/classifier.safetensors\" />\n", "Console.WriteLine();\n"));
        var app = Path.Combine(history.CloneWithoutFilters(), "app");
        Directory.Delete(Path.Combine(history.Remote, "lfs"), recursive: true);

        var build = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("warning GT1003", build.Log);
        var errors = build.Output.Split('\n').Where(l => l.Contains("error GT1003", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, line =>
        {
            Assert.Contains(Path.Combine(app, "app.csproj") + " : error GT1003: ThetaModel 'models/classifier.safetensors': app/models/classifier.safetensors: ", line);
            Assert.Contains("With the remote reachable, building again fetches it.", line);
            Assert.Matches("needs object [0-9a-f]{64}", line);
            Assert.Contains("could not be fetched", line);
        });
        Assert.DoesNotContain("   at ", build.Log);
        Assert.False(File.Exists(Path.Combine(app, "obj", "gittheta", "models", "classifier.safetensors")), "no half-written model");
    }

    [Fact]
    public void Outside_a_git_repository_a_model_is_GT1005_and_copied_as_it_is()
    {
        var app = workspace.Path("plain", "app");
        var bytes = SafetensorsFile.Create(groups: 3, seed: 7);
        ConsumerProject.Write(app, workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/classifier.safetensors\" />\n", "Console.WriteLine(app.ThetaModels.Classifier.ParameterCount);\n");
        Directory.CreateDirectory(Path.Combine(app, "models"));
        File.WriteAllBytes(Path.Combine(app, "models", "classifier.safetensors"), bytes);
        Assert.NotEqual(0, workspace.Git(app, "rev-parse", "--git-dir").ExitCode);

        var build = workspace.Dotnet(app, "build").EnsureSuccess();

        AssertEveryLine(build, "GT1005", Path.Combine(app, "app.csproj") + " : warning GT1005: ThetaModel 'models/classifier.safetensors' is not inside a git repository, so git-theta cannot version or pin it; it is copied as it is.");
        var output = Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(output, "models", "classifier.safetensors")));
        Assert.Equal(SafetensorsFile.ParameterCount(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture), workspace.Dotnet(app, Path.Combine(output, "app.dll")).EnsureSuccess().Output.Trim());
    }

    private static void AssertEveryLine(ProcessResult build, string code, string expected)
    {
        var lines = build.Output.Split('\n').Where(l => l.Contains(code, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Contains(expected, line));
    }

    public void Dispose() => workspace.Dispose();
}
