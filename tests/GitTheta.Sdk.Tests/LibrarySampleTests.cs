using System.Buffers.Binary;
using System.Globalization;
using System.Xml.Linq;
using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>
/// samples/ReadTensorAtRevision against the GitTheta package packed from this build into a local feed: a fresh clone
/// (objects only on the remote) read at the older revision prints that revision's values, not the work tree's.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class LibrarySampleTests : IDisposable
{
    private const string Group = "layers.0.weight";

    private readonly Workspace workspace;

    public LibrarySampleTests(PackedSdk sdk)
    {
        workspace = new Workspace(sdk);
    }

    [Fact]
    public void ReadTensorAtRevision_built_against_the_package_prints_the_values_of_the_older_revision()
    {
        var feed = PackLibrary();
        var history = ModelHistory.Create(workspace, "models/classifier.safetensors", _ => { });
        var clone = history.CloneWithoutFilters();
        var project = CopySample(feed);

        workspace.Dotnet(project, "build").EnsureSuccess();
        var program = Path.Combine(project, "bin", "Debug", "net10.0", "ReadTensorAtRevision.dll");
        var run = workspace.Dotnet(Path.Combine(clone, "models"), program, Path.Combine(clone, "models"), history.ModelPath, "v1", Group, "4");

        Assert.True(run.ExitCode == 0, run.Log);
        Assert.Contains($"{history.ModelPath} at v1 (commit {history.V1Commit[..12]}): 6 groups, {SafetensorsFile.ParameterCount(history.V1)} parameters", run.Output);
        Assert.Contains($"{Group}: F32 [16, 8], stored dense in ", run.Output);
        var printed = run.Output.Split('\n').Single(l => l.StartsWith("values: ", StringComparison.Ordinal))["values: ".Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(FirstValues(history.V1, 4), printed);
        Assert.NotEqual(FirstValues(history.V2, 4), printed);

        var unknown = workspace.Dotnet(clone, program, clone, history.ModelPath, "v9", Group);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error GT2020: unknown revision 'v9'", unknown.Error);
    }

    public void Dispose()
    {
        // This run's GitTheta, extracted into the NuGet folder the SDK tests share.
        var extracted = Path.Combine(workspace.Sdk.PackagesDirectory, "gittheta", workspace.Sdk.Version.ToLowerInvariant());
        if (Directory.Exists(extracted))
        {
            Directory.Delete(extracted, recursive: true);
        }

        workspace.Dispose();
    }

    /// <summary>src/GitTheta.Core packed as the GitTheta package, from the test build's outputs, at this run's version.</summary>
    private string PackLibrary()
    {
        var feed = workspace.Path("feed");
        var core = Path.Combine(workspace.Sdk.RepositoryRoot, "src", "GitTheta.Core", "GitTheta.Core.csproj");
        workspace.Dotnet(workspace.Root, "pack", core, "-c", workspace.Sdk.Configuration, "--no-build", $"-p:Version={workspace.Sdk.Version}", "-o", feed).EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(feed, $"GitTheta.{workspace.Sdk.Version}.nupkg")), "dotnet pack wrote the GitTheta package");
        return feed;
    }

    /// <summary>The sample's own files, except where the package comes from: this run's version, from this run's feed.</summary>
    private string CopySample(string feed)
    {
        var sample = Path.Combine(workspace.Sdk.RepositoryRoot, "samples", "ReadTensorAtRevision");
        var project = workspace.Path("ReadTensorAtRevision");
        Directory.CreateDirectory(project);
        foreach (var file in new[] { "ReadTensorAtRevision.csproj", "Program.cs", "Directory.Build.props", "Directory.Packages.props" })
        {
            File.Copy(Path.Combine(sample, file), Path.Combine(project, file));
        }

        var csproj = Path.Combine(project, "ReadTensorAtRevision.csproj");
        var text = File.ReadAllText(csproj);
        Assert.Contains("<PackageReference Include=\"GitTheta\" Version=\"1.0.0\" />", text);
        File.WriteAllText(csproj, text.Replace("Version=\"1.0.0\"", $"Version=\"{workspace.Sdk.Version}\"", StringComparison.Ordinal));

        // Local feeds only: this run's package, and everything else from the packages folder the test build restored.
        new XDocument(new XElement(
            "configuration",
            new XElement(
                "packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "gittheta-library"), new XAttribute("value", feed)),
                new XElement("add", new XAttribute("key", "restored-packages"), new XAttribute("value", workspace.Sdk.RestoredPackagesDirectory))),
            new XElement(
                "packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "gittheta-library"), new XElement("package", new XAttribute("pattern", "GitTheta"))),
                new XElement("packageSource", new XAttribute("key", "restored-packages"), new XElement("package", new XAttribute("pattern", "*")))))).Save(Path.Combine(project, "nuget.config"));
        return project;
    }

    private static float[] FirstValues(byte[] checkpoint, int count)
    {
        // The first group's data starts right after the header (SafetensorsFile writes the groups in order).
        var data = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(checkpoint);
        return Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadSingleLittleEndian(checkpoint.AsSpan(data + (4 * i)))).ToArray();
    }
}
