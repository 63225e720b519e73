using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests.Infrastructure;

/// <summary>
/// The reference assemblies the test compilations compile against, from the .NET SDK that runs the tests
/// (packs/Microsoft.NETCore.App.Ref), instead of <c>ReferenceAssemblies.Net.Net80</c>, which downloads its package from
/// the public NuGet feed while the tests run: the tests need no network and no package beyond what the build restored.
/// </summary>
internal static class LocalReferenceAssemblies
{
    private static readonly Lazy<(string Framework, ImmutableArray<MetadataReference> References)> Pack = new(Find);

    /// <summary>No package to resolve: the assemblies come as <see cref="References"/>.</summary>
    public static ReferenceAssemblies Assemblies => new(Pack.Value.Framework);

    public static ImmutableArray<MetadataReference> References => Pack.Value.References;

    private static (string, ImmutableArray<MetadataReference>) Find()
    {
        // <dotnet>/shared/Microsoft.NETCore.App/<version>/ -> <dotnet>/packs/Microsoft.NETCore.App.Ref/<version>/ref/net<major>.<minor>/
        var runtime = Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory());
        var dotnet = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var packs = Path.Combine(dotnet, "packs", "Microsoft.NETCore.App.Ref");
        var framework = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var folder = Directory.Exists(packs)
            ? Directory.EnumerateDirectories(packs)
                .Select(version => Path.Combine(version, "ref", framework))
                .Where(Directory.Exists)
                .OrderByDescending(path => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))!).Split('-')[0], out var v) ? v : new Version())
                .FirstOrDefault()
            : null;
        if (folder is null)
        {
            throw new InvalidOperationException($"the .NET SDK at {dotnet} has no Microsoft.NETCore.App.Ref pack for {framework}; install the .NET SDK that global.json names.");
        }

        var references = Directory.EnumerateFiles(folder, "*.dll")
            .OrderBy(file => file, StringComparer.Ordinal)
            .Select(file => (MetadataReference)MetadataReference.CreateFromFile(file))
            .ToImmutableArray();
        return (framework, references);
    }
}
