using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

[Collection(PackedSdkCollection.Name)]
public sealed class RevisionTests : IDisposable
{
    private readonly Workspace workspace;

    public RevisionTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void An_unknown_revision_fails_the_build_with_GT1002_on_one_line()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source => ConsumerProject.Write(
                Path.Combine(source, "app"),
                workspace.Sdk,
                ConsumerProject.Consumption.Sdk,
                "    <ThetaModel Include=\"models/classifier.safetensors\" Revision=\"v9\" />\n",
                "Console.WriteLine();\n"));
        var app = Path.Combine(history.Source, "app");

        var build = workspace.Dotnet(app, "build");

        Assert.NotEqual(0, build.ExitCode);
        var errors = build.Output.Split('\n').Where(l => l.Contains("GT1002", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, line => Assert.Contains(Path.Combine(app, "app.csproj") + " : error GT1002: ThetaModel 'models/classifier.safetensors': Revision 'v9' is not a tag, branch or commit of the repository", line));
        Assert.DoesNotContain("   at ", build.Log);
        Assert.False(File.Exists(Path.Combine(app, "bin", "Debug", ConsumerProject.TargetFramework, "app.dll")), "nothing is built when a model cannot be had");
    }

    public void Dispose() => workspace.Dispose();
}
