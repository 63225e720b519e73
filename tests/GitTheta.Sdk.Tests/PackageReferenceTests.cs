using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>GitTheta.Sdk as a PackageReference, in a fresh clone, with the repository configuration left on (the default).</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PackageReferenceTests : IDisposable
{
    private readonly Workspace workspace;

    public PackageReferenceTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void Build_configures_the_clone_with_the_packaged_git_theta_and_ships_the_checkpoint()
    {
        var history = ModelHistory.Create(
            workspace,
            "service/models/encoder.safetensors",
            source => ConsumerProject.Write(
                Path.Combine(source, "service"),
                workspace.Sdk,
                ConsumerProject.Consumption.PackageReference,
                "    <ThetaModel Include=\"models/encoder.safetensors\" />\n",
                "Console.WriteLine(service.ThetaModels.Encoder.ParameterCount);\n"));
        var clone = history.CloneWithoutFilters();
        var service = Path.Combine(clone, "service");

        var build = workspace.Dotnet(service, "build").EnsureSuccess();

        // The repository now runs the git-theta inside the package: filters, drivers and the pre-push hook.
        Assert.Contains("GitTheta: configured git-theta in " + clone, build.Log);
        var process = workspace.GitOk(clone, "config", "--local", "--get", "filter.theta.process").Trim();
        Assert.EndsWith(Path.Combine(workspace.Sdk.ExtractedPackage, "tools", "net", "git-theta.dll") + " filter-process", process);
        Assert.Contains(workspace.Sdk.ExtractedPackage, workspace.GitOk(clone, "config", "--local", "--get", "merge.theta.driver"));
        Assert.Contains("git-theta", File.ReadAllText(Path.Combine(clone, ".git", "hooks", "pre-push")));

        // Configuring rebuilt the work-tree checkpoint through the new filter, which git now sees as unchanged.
        Assert.Equal(history.V2, File.ReadAllBytes(Path.Combine(clone, history.ModelPath)));
        Assert.Equal(string.Empty, workspace.GitOk(clone, "status", "--porcelain", "--untracked-files=no").Trim());
        Assert.Equal(history.V2, File.ReadAllBytes(Path.Combine(service, "bin", "Debug", ConsumerProject.TargetFramework, "models", "encoder.safetensors")));

        // A configured repository is left alone by the next build.
        var again = workspace.Dotnet(service, "build").EnsureSuccess();
        Assert.DoesNotContain("GitTheta: configured", again.Log);
        Assert.Equal(SafetensorsFile.ParameterCount(history.V2).ToString(System.Globalization.CultureInfo.InvariantCulture), workspace.Dotnet(service, Path.Combine(service, "bin", "Debug", ConsumerProject.TargetFramework, "service.dll")).EnsureSuccess().Output.Trim());
    }

    public void Dispose() => workspace.Dispose();
}
