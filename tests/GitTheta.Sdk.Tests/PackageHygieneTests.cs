using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using GitTheta.Sdk.Tests.Infrastructure;

namespace GitTheta.Sdk.Tests;

/// <summary>
/// Every package the repository packs (GitTheta.Sdk from the fixture, and every other packable src/ project packed
/// here from the same build) says what it is: readme, license, icon and repository inside, symbols embedded in our
/// assemblies, and the one version.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PackageHygieneTests : IDisposable
{
    private const string ProjectUrl = "https://github.com/gittheta/gittheta-dotnet";

    private readonly PackedSdk sdk;
    private readonly string feed = Path.Combine(Path.GetTempPath(), "gittheta-sdk-tests", "hygiene-" + Guid.NewGuid().ToString("N"));

    public PackageHygieneTests(PackedSdk sdk)
    {
        this.sdk = sdk;
    }

    [Fact]
    public void Every_package_has_readme_license_icon_repository_and_embedded_symbols()
    {
        var packages = PackAll().Append(sdk.Package).ToList();

        Assert.Contains(packages, p => Path.GetFileName(p).StartsWith("GitTheta.Tool.1", StringComparison.Ordinal));
        Assert.Contains(packages, p => Path.GetFileName(p).StartsWith("GitTheta.Tool.any.", StringComparison.Ordinal));
        Assert.All(packages, AssertHygienic);
    }

    [Fact]
    public void The_sdk_package_names_its_own_version_for_the_generated_code()
    {
        using var package = ZipFile.OpenRead(sdk.Package);
        using var reader = new StreamReader(package.GetEntry("build/GitTheta.Sdk.Version.props")!.Open());

        Assert.Contains($"<_GitThetaSdkVersion>{sdk.Version}</_GitThetaSdkVersion>", reader.ReadToEnd());
    }

    public void Dispose()
    {
        if (Directory.Exists(feed))
        {
            Directory.Delete(feed, recursive: true);
        }
    }

    private IEnumerable<string> PackAll()
    {
        Directory.CreateDirectory(feed);
        foreach (var project in Directory.EnumerateFiles(Path.Combine(sdk.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            if (Path.GetFileNameWithoutExtension(project) == "GitTheta.Sdk")
            {
                continue;
            }

            // A project that is not packable packs nothing and succeeds. The tool's plain pack writes its pointer package
            // (its platform packages are packed below, or, for the native one, by the tool's own tests).
            Pack(project, "--no-build", $"-p:Version={sdk.Version}", "-p:GitThetaPackPlatformPackages=false");
            if (Path.GetFileNameWithoutExtension(project) == "GitTheta.Tool")
            {
                // This one builds (the 'any' output); PackageVersion, not Version, so that Core's build stays as it is.
                Pack(project, "--no-restore", "-r", "any", "-p:PublishAot=false", $"-p:PackageVersion={sdk.Version}");
            }
        }

        return Directory.EnumerateFiles(feed, "*.nupkg").Where(p => !p.EndsWith(".symbols.nupkg", StringComparison.Ordinal)).ToList();
    }

    private void Pack(string project, params string[] arguments) =>
        ProcessRunner.Run(
            "dotnet",
            new[] { "pack", project, "-c", sdk.Configuration, "-nologo", "-nr:false", "-tl:off", "-o", feed }.Concat(arguments).ToArray(),
            sdk.RepositoryRoot,
            new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }).EnsureSuccess();

    private void AssertHygienic(string packagePath)
    {
        using var package = ZipFile.OpenRead(packagePath);
        var nuspecEntry = Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        XDocument nuspec;
        using (var stream = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? string.Empty;
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        var id = Field("id");

        Assert.Equal(sdk.Version, Field("version"));
        Assert.Equal("README.md", Field("readme"));
        Assert.Equal("icon.png", Field("icon"));
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal(ProjectUrl, Field("projectUrl"));
        Assert.Equal((ProjectUrl, "git"), ((string?)repository.Attribute("url"), (string?)repository.Attribute("type")));
        Assert.False(string.IsNullOrEmpty((string?)repository.Attribute("commit")), $"{id}: the repository element names no commit");

        var readme = ReadText(package, "README.md");
        Assert.StartsWith("# ", readme);
        Assert.Contains(ProjectUrl, readme);
        Assert.Contains("MIT License", ReadText(package, "LICENSE"));
        var icon = Read(package, "icon.png");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, icon[..4]);

        // The tool's pointer package holds no files to run: it names the package of each platform.
        if (package.GetEntry("tools/any/any/DotnetToolSettings.xml") is { } pointer)
        {
            using var settings = pointer.Open();
            var rids = XDocument.Load(settings).Descendants().Where(e => e.Name.LocalName == "RuntimeIdentifierPackage")
                .Select(e => ((string?)e.Attribute("RuntimeIdentifier"), (string?)e.Attribute("Id"))).ToList();
            Assert.Equal(new[] { ("any", (string?)"GitTheta.Tool.any"), ("linux-x64", "GitTheta.Tool.linux-x64") }, rids.Select(r => (r.Item1!, r.Item2)));
            return;
        }

        // Our assemblies carry their symbols (no .pdb beside them, and no symbols package to lose).
        var ours = package.Entries.Where(e => e.Name.StartsWith("GitTheta.", StringComparison.Ordinal) || e.Name == "git-theta.dll").Where(e => e.Name.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ours);
        Assert.All(ours, entry =>
        {
            using var pe = new PEReader(new MemoryStream(Read(package, entry.FullName)));
            Assert.True(pe.ReadDebugDirectory().Any(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb), $"{id}: {entry.FullName} has no embedded PDB");
        });
        Assert.DoesNotContain(package.Entries, e => e.Name.EndsWith(".pdb", StringComparison.Ordinal) && (e.Name.StartsWith("GitTheta.", StringComparison.Ordinal) || e.Name == "git-theta.pdb"));
    }

    private static byte[] Read(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path) ?? throw new Xunit.Sdk.XunitException($"the package has no {path}");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ReadText(ZipArchive package, string path) => System.Text.Encoding.UTF8.GetString(Read(package, path));
}
