using System.Xml.Linq;

namespace GitTheta.Sdk.Tests.Infrastructure;

/// <summary>Writes the consumer project of a test: a net10.0 app using the packed SDK, a nuget.config with the test feed first.</summary>
public static class ConsumerProject
{
    public const string TargetFramework = "net10.0";

    /// <summary>How the project gets GitTheta.Sdk.</summary>
    public enum Consumption
    {
        /// <summary><c>&lt;Sdk Name="GitTheta.Sdk" Version="…" /&gt;</c>.</summary>
        Sdk,

        /// <summary><c>&lt;PackageReference Include="GitTheta.Sdk" Version="…" /&gt;</c>.</summary>
        PackageReference,
    }

    public static void Write(string directory, PackedSdk sdk, Consumption consumption, string items, string program, string properties = "")
    {
        Directory.CreateDirectory(directory);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        var sdkElement = consumption == Consumption.Sdk ? $"  <Sdk Name=\"GitTheta.Sdk\" Version=\"{sdk.Version}\" />\n" : string.Empty;
        var reference = consumption == Consumption.PackageReference ? $"    <PackageReference Include=\"GitTheta.Sdk\" Version=\"{sdk.Version}\" />\n" : string.Empty;
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
            {sdkElement}  <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{TargetFramework}</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
            {properties}  </PropertyGroup>
              <ItemGroup>
            {reference}{items}  </ItemGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
        WriteNuGetConfig(directory, sdk);
    }

    /// <summary>
    /// Local feeds only, nothing from the machine's config and no registry: the test feed for GitTheta.*, and for the
    /// rest (the targeting and host packs of a framework the .NET SDK does not carry, such as net8.0) the packages folder
    /// the test project's own build restored into. So the builds under test need no network. An <paramref name="extraFeed"/>
    /// (a folder a test packed into) serves the packages its pattern names.
    /// </summary>
    public static void WriteNuGetConfig(string directory, PackedSdk sdk, (string Key, string Folder, string Pattern)? extraFeed = null)
    {
        var extraSource = extraFeed is { } extra ? new XElement("add", new XAttribute("key", extra.Key), new XAttribute("value", extra.Folder)) : null;
        var extraMapping = extraFeed is { } mapped ? new XElement("packageSource", new XAttribute("key", mapped.Key), new XElement("package", new XAttribute("pattern", mapped.Pattern))) : null;
        var config = new XDocument(
            new XElement(
                "configuration",
                new XElement(
                    "packageSources",
                    new XElement("clear"),
                    new XElement("add", new XAttribute("key", "gittheta-test-feed"), new XAttribute("value", sdk.Feed)),
                    new XElement("add", new XAttribute("key", "restored-packages"), new XAttribute("value", sdk.RestoredPackagesDirectory)),
                    extraSource),
                new XElement(
                    "packageSourceMapping",
                    new XElement("packageSource", new XAttribute("key", "gittheta-test-feed"), new XElement("package", new XAttribute("pattern", "GitTheta.*"))),
                    new XElement("packageSource", new XAttribute("key", "restored-packages"), new XElement("package", new XAttribute("pattern", "*"))),
                    extraMapping)));
        config.Save(Path.Combine(directory, "nuget.config"));
    }
}
