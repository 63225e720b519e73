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

        // The repository now runs the package's git-theta, copied into the repository (a NuGet cache clear cannot take it
        // away) and run through the shim under .git/theta/bin: filters, drivers and the pre-push hook.
        Assert.Contains("GitTheta: configured git-theta in " + clone, build.Log);
        var shim = Path.Combine(clone, ".git", "theta", "bin", "git-theta");
        Assert.Equal(shim + " filter-process", workspace.GitOk(clone, "config", "--local", "--get", "filter.theta.process").Trim());
        Assert.Equal(shim + " merge %O %A %B %P", workspace.GitOk(clone, "config", "--local", "--get", "merge.theta.driver").Trim());
        Assert.Contains(shim + " pre-push", File.ReadAllText(Path.Combine(clone, ".git", "hooks", "pre-push")));
        Assert.True(File.Exists(Path.Combine(clone, ".git", "theta", "tool", workspace.Sdk.Version.ToLowerInvariant(), "git-theta.dll")));
        Assert.DoesNotContain(workspace.Sdk.PackagesDirectory, workspace.GitOk(clone, "config", "--local", "--get-regexp", "^(filter|diff|merge)\\.theta\\."));

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
