using System.Reflection;

namespace GitTheta.Sdk.Tests.Infrastructure;

/// <summary>
/// GitTheta.Sdk packed once per test run, from the outputs the test project's build just made, with a version of its
/// own into a feed of its own, so no package from an earlier run (or from the machine's caches) can stand in for it.
/// Restores share one NuGet packages folder and HTTP cache under the temp folder, kept between runs so that what comes
/// from the registry (targeting and runtime packs) is downloaded once per machine, not once per test.
/// </summary>
public sealed class PackedSdk : IDisposable
{
    public PackedSdk()
    {
        var metadata = typeof(PackedSdk).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);
        RepositoryRoot = metadata["GitThetaRepositoryRoot"];
        Configuration = metadata["GitThetaConfiguration"];
        RestoredPackagesDirectory = metadata["GitThetaNuGetPackageRoot"];
        SharedDirectory = Path.Combine(Path.GetTempPath(), "gittheta-sdk-tests");
        PackagesDirectory = Path.Combine(SharedDirectory, "nuget-packages");
        HttpCacheDirectory = Path.Combine(SharedDirectory, "nuget-http-cache");
        Version = $"1.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(100000, 999999)}";
        Feed = Path.Combine(SharedDirectory, "feeds", Version);
        ToolPath = Path.Combine(RepositoryRoot, "src", "GitTheta.Tool", "bin", Configuration, "net8.0", OperatingSystem.IsWindows() ? "git-theta.exe" : "git-theta");
        if (!File.Exists(ToolPath))
        {
            throw new InvalidOperationException($"git-theta was not built at {ToolPath}; build the test project first.");
        }

        Directory.CreateDirectory(Feed);
        RemoveStalePackages();
        var pack = ProcessRunner.Run(
            "dotnet",
            new[] { "pack", Path.Combine(RepositoryRoot, "src", "GitTheta.Sdk", "GitTheta.Sdk.csproj"), "-c", Configuration, "--no-build", "-nologo", "-nr:false", "-tl:off", $"-p:Version={Version}", "-o", Feed },
            RepositoryRoot,
            new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });
        pack.EnsureSuccess();
        Package = Path.Combine(Feed, $"GitTheta.Sdk.{Version}.nupkg");
        if (!File.Exists(Package))
        {
            throw new InvalidOperationException($"dotnet pack did not write {Package}:\n{pack.Output}");
        }
    }

    public string RepositoryRoot { get; }

    public string Configuration { get; }

    /// <summary>
    /// The NuGet packages folder the test project's build restored into. Its layout is a local feed's, and it holds the
    /// targeting and host packs of net8.0 (the src projects target it), which a multi-targeted consumer restores.
    /// </summary>
    public string RestoredPackagesDirectory { get; }

    public string SharedDirectory { get; }

    public string PackagesDirectory { get; }

    public string HttpCacheDirectory { get; }

    public string Version { get; }

    public string Feed { get; }

    public string Package { get; }

    /// <summary>The git-theta the test project's build made, to set up repositories (never used by the builds under test).</summary>
    public string ToolPath { get; }

    /// <summary>Where restore extracts this run's package.</summary>
    public string ExtractedPackage => Path.Combine(PackagesDirectory, "gittheta.sdk", Version.ToLowerInvariant());

    public void Dispose()
    {
        TryDelete(Feed);
        TryDelete(ExtractedPackage);
    }

    private void RemoveStalePackages()
    {
        // Packages of runs that ended without cleaning up (a killed test host); an hour is longer than any run.
        var extracted = Path.Combine(PackagesDirectory, "gittheta.sdk");
        var feeds = Path.Combine(SharedDirectory, "feeds");
        foreach (var parent in new[] { extracted, feeds })
        {
            if (!Directory.Exists(parent))
            {
                continue;
            }

            foreach (var directory in Directory.EnumerateDirectories(parent))
            {
                if (Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow.AddHours(-1))
                {
                    TryDelete(directory);
                }
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
