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

    [Fact]
    public void Damaged_metadata_in_the_work_tree_is_GT1006_and_never_shipped_as_the_model()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/classifier.safetensors\" />\n", "Console.WriteLine();\n"));
        var clone = history.CloneWithoutFilters();
        var app = Path.Combine(clone, "app");
        var model = Path.Combine(clone, history.ModelPath);
        var metadata = File.ReadAllBytes(model);
        File.WriteAllBytes(model, metadata[..(metadata.Length / 2)]);

        var build = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false");

        Assert.NotEqual(0, build.ExitCode);
        AssertEveryLine(build, "GT1006", Path.Combine(app, "app.csproj") + " : error GT1006: ThetaModel 'models/classifier.safetensors' is git-theta metadata that cannot be read (damaged or truncated), and metadata is never shipped as the model; check it out again ('git checkout -- app/models/classifier.safetensors' in " + clone + ") or restore it from a commit.");
        Assert.DoesNotContain("   at ", build.Log);
        Assert.False(File.Exists(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "models", "classifier.safetensors")), "the damaged metadata is not shipped");
    }

    [Fact]
    public void Two_models_with_one_member_name_are_GT1008()
    {
        var app = workspace.Path("plain", "app");
        ConsumerProject.Write(app, workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/a-b.safetensors\" />\n    <ThetaModel Include=\"models/a_b.safetensors\" />\n", "Console.WriteLine();\n");
        Directory.CreateDirectory(Path.Combine(app, "models"));
        File.WriteAllBytes(Path.Combine(app, "models", "a-b.safetensors"), SafetensorsFile.Create(groups: 1, seed: 1));
        File.WriteAllBytes(Path.Combine(app, "models", "a_b.safetensors"), SafetensorsFile.Create(groups: 1, seed: 2));

        var build = workspace.Dotnet(app, "build");

        Assert.NotEqual(0, build.ExitCode);
        AssertEveryLine(build, "GT1008", Path.Combine(app, "app.csproj") + " : error GT1008: ThetaModels 'models/a-b.safetensors' and 'models/a_b.safetensors' both get the member name 'AB'; set the Name metadata of one of them.");
        Assert.False(File.Exists(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "app.dll")), "nothing is built with a conflict");
    }

    [Fact]
    public void A_configuration_that_fails_is_GT1009_and_the_build_still_ships_the_model()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/classifier.safetensors\" />\n", "Console.WriteLine();\n"));
        var clone = history.CloneWithoutFilters();
        var app = Path.Combine(clone, "app");

        // A git-theta command that exits 1: the configuration fails, the tasks materialize the model all the same.
        var build = workspace.Dotnet(app, "build", "-p:GitThetaToolCommand=false").EnsureSuccess();

        AssertEveryLine(build, "GT1009", Path.Combine(app, "app.csproj") + " : warning GT1009: could not configure git-theta in " + clone + " (exit code 1); run 'git theta install' there, or set GitThetaConfigureRepository=false.");
        Assert.Equal(string.Empty, workspace.Git(clone, "config", "--get-regexp", "^filter\\.theta\\.").Output.Trim());
        Assert.Equal(history.V2, File.ReadAllBytes(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "models", "classifier.safetensors")));
    }

    [Fact]
    public void Tasks_that_cannot_load_are_GT1010_and_the_build_touches_no_model()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, "    <ThetaModel Include=\"models/classifier.safetensors\" />\n", "Console.WriteLine();\n", "    <GitThetaGenerateModelsClass>false</GitThetaGenerateModelsClass>\n"));
        var clone = history.CloneWithoutFilters();
        var app = Path.Combine(clone, "app");

        // The .NET Framework MSBuild (msbuild.exe) does not run here; the property stands in for its MSBuildRuntimeType.
        var failed = workspace.Dotnet(app, "build", "-p:_GitThetaTestMSBuildRuntimeType=Full");
        Assert.NotEqual(0, failed.ExitCode);
        AssertEveryLine(failed, "GT1010", Path.Combine(app, "app.csproj") + " : error GT1010: GitTheta.Sdk's tasks run on .NET, in the MSBuild of the .NET SDK, and this MSBuild (Full, as Visual Studio's) cannot load them, so it cannot materialize, copy or check the ThetaModels. Build with 'dotnet build', or set GitThetaAllowFrameworkMSBuild=true to build here without the models.");

        var allowed = workspace.Dotnet(app, "build", "-p:_GitThetaTestMSBuildRuntimeType=Full", "-p:GitThetaAllowFrameworkMSBuild=true").EnsureSuccess();
        AssertEveryLine(allowed, "GT1010", Path.Combine(app, "app.csproj") + " : warning GT1010: GitTheta.Sdk's tasks run on .NET, in the MSBuild of the .NET SDK, not in this one (Full); with GitThetaAllowFrameworkMSBuild=true this build neither materializes, copies nor checks the ThetaModels. Build with 'dotnet build' to ship them.");
        Assert.False(File.Exists(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "models", "classifier.safetensors")));
        Assert.Equal(string.Empty, workspace.Git(clone, "config", "--get-regexp", "^filter\\.theta\\.").Output.Trim());
    }

    private static void AssertEveryLine(ProcessResult build, string code, string expected)
    {
        var lines = build.Output.Split('\n').Where(l => l.Contains(code, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Contains(expected, line));
    }

    public void Dispose() => workspace.Dispose();
}
