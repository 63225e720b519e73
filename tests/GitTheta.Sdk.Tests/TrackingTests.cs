using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

[Collection(PackedSdkCollection.Name)]
public sealed class TrackingTests : IDisposable
{
    private readonly Workspace workspace;

    public TrackingTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void An_untracked_model_warns_with_the_fix_and_GitThetaAutoTrack_applies_it()
    {
        var history = ModelHistory.Create(
            workspace,
            "app/models/classifier.safetensors",
            source =>
            {
                ConsumerProject.Write(
                    Path.Combine(source, "app"),
                    workspace.Sdk,
                    ConsumerProject.Consumption.Sdk,
                    "    <ThetaModel Include=\"models/classifier.safetensors\" />\n    <ThetaModel Include=\"data/new model.safetensors\" />\n",
                    "Console.WriteLine();\n");
                Directory.CreateDirectory(Path.Combine(source, "app", "data"));
                File.WriteAllBytes(Path.Combine(source, "app", "data", "new model.safetensors"), SafetensorsFile.Create(groups: 2, seed: 3));
            });
        var app = Path.Combine(history.Source, "app");

        var warned = workspace.Dotnet(app, "build").EnsureSuccess();
        var warnings = warned.Output.Split('\n').Where(l => l.Contains("GT1004", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, line => Assert.Contains(
            $"warning GT1004: ThetaModel 'data/new model.safetensors' is not tracked by git-theta (.gitattributes gives it no filter=theta diff=theta merge=theta), so git stores it as one opaque blob; to fix it, run in {history.Source}: git theta track 'app/data/new model.safetensors' (or build once with -p:GitThetaAutoTrack=true).",
            line));
        Assert.DoesNotContain("classifier.safetensors' is not tracked", warned.Log);

        var fixedBuild = workspace.Dotnet(app, "build", "-p:GitThetaAutoTrack=true").EnsureSuccess();
        Assert.Contains("GitTheta: tracking 'app/data/new model.safetensors' with git-theta", fixedBuild.Log);
        Assert.DoesNotContain("GT1004", fixedBuild.Log);
        Assert.Contains("app/data/new[[:space:]]model.safetensors filter=theta diff=theta merge=theta", File.ReadAllText(Path.Combine(history.Source, ".gitattributes")));
        Assert.Equal("theta", workspace.GitOk(history.Source, "check-attr", "filter", "--", "app/data/new model.safetensors").Trim().Split(": ")[^1]);

        var quiet = workspace.Dotnet(app, "build").EnsureSuccess();
        Assert.DoesNotContain("GT1004", quiet.Log);
    }

    public void Dispose() => workspace.Dispose();
}
