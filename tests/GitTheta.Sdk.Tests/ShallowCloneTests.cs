using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>
/// CI's checkout: a shallow clone, sometimes on a machine without git-lfs. The build names each cause (GT1002: this is a
/// shallow clone; GT1003: git-lfs is not installed) instead of advice that cannot help.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ShallowCloneTests : IDisposable
{
    private const string Items = """
            <ThetaModel Include="models/classifier.safetensors" Condition="'$(Pin)' != 'true'" />
            <ThetaModel Include="models/classifier.safetensors" Revision="v1" Condition="'$(Pin)' == 'true'" />

        """;

    private readonly Workspace workspace;

    public ShallowCloneTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void A_shallow_clone_is_named_in_GT1002_and_a_missing_git_lfs_in_GT1003()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(Path.Combine(source, "app"), workspace.Sdk, ConsumerProject.Consumption.Sdk, Items, "Console.WriteLine();\n"));
        var clone = workspace.Path("shallow");
        workspace.GitOk(workspace.Root, "clone", "-q", "--depth", "1", new Uri(history.Remote).AbsoluteUri, clone);
        Assert.Equal("true", workspace.GitOk(clone, "rev-parse", "--is-shallow-repository").Trim());
        var app = Path.Combine(clone, "app");

        var pinned = workspace.Dotnet(app, "build", "-p:Pin=true", "-p:GitThetaConfigureRepository=false");

        Assert.NotEqual(0, pinned.ExitCode);
        var shallow = pinned.Output.Split('\n').Where(l => l.Contains("error GT1002", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(shallow);
        Assert.All(shallow, l => Assert.Contains("Revision 'v1' is not a tag, branch or commit of the repository at " + clone + "; this is a shallow clone, which has only the newest commits: fetch the history with 'git fetch --unshallow --tags'", l));

        // Without git-lfs the objects of the checked-out model cannot be fetched: the build says so, not "make the remote reachable".
        workspace.Overrides["PATH"] = workspace.PathWithoutGitLfs();
        var withoutLfs = workspace.Dotnet(app, "build", "-p:GitThetaConfigureRepository=false");

        Assert.NotEqual(0, withoutLfs.ExitCode);
        var lines = withoutLfs.Output.Split('\n').Where(l => l.Contains(" GT1003", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Any(l => l.Contains("error GT1003: ThetaModel 'models/classifier.safetensors': ", StringComparison.Ordinal)), withoutLfs.Output);
        Assert.All(lines, l => Assert.Contains("git-lfs is not installed", l));
        Assert.All(lines, l => Assert.Contains("install git-lfs (https://git-lfs.com, or 'apt-get install git-lfs') and build again.", l));
        Assert.DoesNotContain("reachable", withoutLfs.Output);
        Assert.DoesNotContain("   at ", withoutLfs.Log);

        // With the history and git-lfs, the same clone builds the pinned model.
        workspace.Overrides.Remove("PATH");
        workspace.GitOk(clone, "fetch", "-q", "--unshallow", "--tags");
        workspace.Dotnet(app, "build", "-p:Pin=true", "-p:GitThetaConfigureRepository=false").EnsureSuccess();
        Assert.Equal(history.V1, File.ReadAllBytes(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "models", "classifier.safetensors")));
    }

    public void Dispose() => workspace.Dispose();
}
