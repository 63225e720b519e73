namespace GitTheta.Sdk.Tests.Infrastructure;

/// <summary>
/// One test's temp folder: its own HOME (so no user or machine git config leaks in, and a clone has no theta filters
/// unless a test configures them), the shared NuGet caches, and helpers to run git, git-theta and dotnet there.
/// </summary>
public sealed class Workspace : IDisposable
{
    public Workspace(PackedSdk sdk)
    {
        Sdk = sdk;
        Root = System.IO.Path.Combine(sdk.SharedDirectory, "work", Guid.NewGuid().ToString("N")[..12]);
        Home = System.IO.Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        GlobalConfig = System.IO.Path.Combine(Home, ".gitconfig");
        // theta.inlineObjectBytes=0 stores every object: these tests build from clones whose objects are on the remote
        // only, and their checkpoints' groups (512 bytes) would otherwise all travel inside the metadata. The tool's
        // and the library's tests cover inline objects.
        File.WriteAllText(GlobalConfig, "[user]\n\tname = GitTheta Sdk Tests\n\temail = sdk-tests@gittheta.invalid\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[theta]\n\tinlineObjectBytes = 0\n");
    }

    public PackedSdk Sdk { get; }

    public string Root { get; }

    public string Home { get; }

    public string GlobalConfig { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    /// <summary>Variables a test changes for every process it runs from then on (a PATH without git-lfs, a NuGet folder of its own).</summary>
    public Dictionary<string, string?> Overrides { get; } = new();

    public IReadOnlyDictionary<string, string?> Environment => Base.Concat(Overrides).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private Dictionary<string, string?> Base => new()
    {
        ["HOME"] = Home,
        ["USERPROFILE"] = Home,
        ["XDG_CONFIG_HOME"] = System.IO.Path.Combine(Home, ".config"),
        ["GIT_CONFIG_GLOBAL"] = GlobalConfig,
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_THETA_LOG_LEVEL"] = null,
        ["NUGET_PACKAGES"] = Sdk.PackagesDirectory,
        ["NUGET_HTTP_CACHE_PATH"] = Sdk.HttpCacheDirectory,
        ["DOTNET_CLI_HOME"] = Home,
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false",
        ["DOTNET_CLI_UI_LANGUAGE"] = "en",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["MSBUILDTERMINALLOGGER"] = "off",
        ["NO_COLOR"] = "1",
    };

    /// <summary>
    /// PATH as it is, but without git-lfs: each folder that holds git-lfs is replaced by a folder of links to
    /// everything else in it. What a machine without git-lfs installed looks like to git, git-theta and the build.
    /// </summary>
    public string PathWithoutGitLfs()
    {
        var folders = new List<string>();
        var index = 0;
        foreach (var folder in (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!File.Exists(System.IO.Path.Combine(folder, "git-lfs")))
            {
                folders.Add(folder);
                continue;
            }

            var links = Path("path-without-git-lfs", (index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(links);
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
            {
                var name = System.IO.Path.GetFileName(entry);
                if (name != "git-lfs" && !File.Exists(System.IO.Path.Combine(links, name)))
                {
                    File.CreateSymbolicLink(System.IO.Path.Combine(links, name), entry);
                }
            }

            folders.Add(links);
        }

        return string.Join(System.IO.Path.PathSeparator, folders);
    }

    public ProcessResult Git(string directory, params string[] arguments) => ProcessRunner.Run("git", arguments, directory, Environment);

    public string GitOk(string directory, params string[] arguments) => Git(directory, arguments).EnsureSuccess().Output;

    public ProcessResult Theta(string directory, params string[] arguments) => ProcessRunner.Run(Sdk.ToolPath, arguments, directory, Environment);

    public string ThetaOk(string directory, params string[] arguments) => Theta(directory, arguments).EnsureSuccess().Output;

    /// <summary>Runs the dotnet CLI (no node reuse, no terminal logger, normal verbosity for build commands so skipped targets show).</summary>
    public ProcessResult Dotnet(string directory, params string[] arguments)
    {
        var all = new List<string>(arguments);
        if (arguments.Length > 0 && arguments[0] is "build" or "publish" or "clean" or "restore" or "msbuild" or "pack")
        {
            all.AddRange(new[] { "-nologo", "-nr:false", "-tl:off", "-v:n" });
        }

        return ProcessRunner.Run("dotnet", all, directory, Environment);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
