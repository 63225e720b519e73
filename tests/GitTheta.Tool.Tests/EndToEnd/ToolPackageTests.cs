using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>The packed GitTheta.Tool packages, installed the ways users install dotnet tools.</summary>
public sealed class ToolPackageTests : IClassFixture<ToolPackageFeed>, IDisposable
{
    private readonly Sandbox sandbox = new();
    private readonly ToolPackageFeed feed;

    public ToolPackageTests(ToolPackageFeed feed) => this.feed = feed;

    [Fact]
    public void As_a_local_tool_install_writes_dotnet_tool_run_and_the_filter_works()
    {
        var repo = sandbox.InitRepository();
        Dotnet(repo.Directory, "new", "tool-manifest");
        Dotnet(repo.Directory, "tool", "install", "GitTheta.Tool", "--version", feed.Version, "--configfile", feed.NuGetConfig);
        Dotnet(repo.Directory, "tool", "run", "git-theta", "install");
        Assert.Equal("dotnet tool run git-theta filter-process", repo.GitOk("config", "filter.theta.process").Trim());

        Dotnet(repo.Directory, "git-theta", "track", "m.safetensors");
        var bytes = Checkpoint.Random(3).ToBytes();
        repo.Write("m.safetensors", bytes);
        RunWithoutTool(repo, "add", ".");
        RunWithoutTool(repo, "commit", "-q", "-m", "v1");
        Assert.Contains("git-theta/1", RunWithoutTool(repo, "show", "HEAD:m.safetensors"));
        File.Delete(repo.Path("m.safetensors"));
        RunWithoutTool(repo, "checkout", "--", "m.safetensors");
        Assert.Equal(bytes, repo.Read("m.safetensors"));
    }

    [Fact]
    public void As_a_tool_on_PATH_install_writes_the_bare_command_name()
    {
        var tools = sandbox.Path("tools");
        Dotnet(sandbox.Root, "tool", "install", "GitTheta.Tool", "--version", feed.Version, "--configfile", feed.NuGetConfig, "--tool-path", tools);
        var repo = sandbox.InitRepository();
        var path = new Dictionary<string, string?> { ["PATH"] = tools + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") };
        sandbox.Run(Path.Combine(tools, "git-theta"), new[] { "install" }, repo.Directory, extra: path).EnsureSuccess("installed git-theta install");
        Assert.Equal("git-theta filter-process", repo.GitOk("config", "filter.theta.process").Trim());
    }

    [Fact]
    public void Install_picks_the_package_of_this_platform_native_on_linux_x64()
    {
        var tools = sandbox.Path("tools");
        Dotnet(sandbox.Root, "tool", "install", "GitTheta.Tool", "--version", feed.Version, "--configfile", feed.NuGetConfig, "--tool-path", tools);
        var installed = Directory.EnumerateFiles(Path.Combine(tools, ".store"), "*", SearchOption.AllDirectories).Select(f => f.Replace('\\', '/')).ToList();
        Assert.Contains(installed, f => f.Contains("/" + feed.PlatformPackageId.ToLowerInvariant() + "/", StringComparison.Ordinal));
        var env = sandbox.Run(Path.Combine(tools, "git-theta"), new[] { "env" }, sandbox.Root).EnsureSuccess("installed git-theta env").Output;
        if (Sandbox.ToolIsNative)
        {
            Assert.DoesNotContain(installed, f => f.EndsWith("/git-theta.dll", StringComparison.Ordinal));
            Assert.Contains(", native)", env.Split('\n')[0]);
        }
        else
        {
            Assert.Contains(installed, f => f.EndsWith("/git-theta.dll", StringComparison.Ordinal));
            Assert.DoesNotContain("native", env.Split('\n')[0]);
        }
    }

    private string Dotnet(string directory, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = sandbox.Path("nuget"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        return sandbox.Run("dotnet", arguments, directory, extra: environment).EnsureSuccess("dotnet " + string.Join(' ', arguments)).Output;
    }

    /// <summary>git with the built tool's folder off PATH, so only the installed local tool can serve the filter.</summary>
    private string RunWithoutTool(GitRepo repo, params string[] arguments)
    {
        var path = string.Join(Path.PathSeparator, (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Where(p => !p.TrimEnd('/').Equals(Sandbox.ToolDirectory.TrimEnd('/'), StringComparison.Ordinal)));
        var environment = new Dictionary<string, string?> { ["PATH"] = path, ["NUGET_PACKAGES"] = sandbox.Path("nuget") };
        return sandbox.Run("git", arguments, repo.Directory, extra: environment).EnsureSuccess("git " + string.Join(' ', arguments)).Output;
    }

    public void Dispose() => sandbox.Dispose();
}
