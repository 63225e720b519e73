namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// GitTheta.Tool packed the way it ships, once per test class, into a local folder feed: the pointer package (which
/// names a package per platform) and the package this machine installs from it, the native (AOT) GitTheta.Tool.linux-x64
/// on linux-x64 (from the build the tests run), else the framework-dependent GitTheta.Tool.any.
/// </summary>
public sealed class ToolPackageFeed : IDisposable
{
    private readonly Sandbox sandbox = new();

    public ToolPackageFeed()
    {
        Version = "1.0.0-test." + Guid.NewGuid().ToString("N")[..8];
        Directory = sandbox.Path("feed");
        var project = System.IO.Path.GetFullPath(System.IO.Path.Combine(Sandbox.ManagedToolDirectory, "..", "..", "..", "GitTheta.Tool.csproj"));
        var configuration = new DirectoryInfo(System.IO.Path.Combine(Sandbox.ManagedToolDirectory, "..")).Name;

        // The pointer alone: packing the platform packages from here would build and publish the tool again, over the
        // executable that the tests running beside this fixture start (ETXTBSY, "Text file busy").
        Pack(project, "--no-build", "-c", configuration, "-p:GitThetaPackPlatformPackages=false");
        PlatformPackageId = Sandbox.ToolIsNative ? "GitTheta.Tool.linux-x64" : "GitTheta.Tool.any";
        if (Sandbox.ToolIsNative)
        {
            Pack(project, "--no-build", "--no-restore", "-c", configuration, "-r", "linux-x64", "-p:TargetFrameworks=net10.0");
        }
        else
        {
            Pack(project, "-c", configuration, "-r", "any", "-p:PublishAot=false");
        }

        NuGetConfig = System.IO.Path.Combine(Directory, "nuget.config");
        File.WriteAllText(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="gittheta-test-feed" value="{Directory}" />
              </packageSources>
            </configuration>

            """);
    }

    public string Directory { get; }

    public string Version { get; }

    /// <summary>A nuget.config whose only source is this feed (no registry at run time).</summary>
    public string NuGetConfig { get; }

    /// <summary>The platform package <c>dotnet tool install GitTheta.Tool</c> picks on this machine.</summary>
    public string PlatformPackageId { get; }

    public void Dispose() => sandbox.Dispose();

    private void Pack(string project, params string[] arguments)
    {
        var environment = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        var all = new[] { "pack", project, "-o", Directory, $"-p:PackageVersion={Version}", "-nologo" }.Concat(arguments).ToArray();
        sandbox.Run("dotnet", all, sandbox.Root, extra: environment).EnsureSuccess("dotnet " + string.Join(' ', all));
    }
}
