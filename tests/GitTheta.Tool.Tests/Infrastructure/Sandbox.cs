using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// A temp folder with its own HOME and global git config (so nothing a test configures reaches the developer's or
/// CI's), the built git-theta first on PATH, and helpers to run the real git, git-lfs and git-theta in it.
/// </summary>
public sealed class Sandbox : IDisposable
{
    private static readonly Lazy<string> ToolDirectoryLazy = new(() =>
    {
        var directory = BuiltDirectory("GitThetaToolDirectory");
        if (!File.Exists(System.IO.Path.Combine(directory, "git-theta")) && !File.Exists(System.IO.Path.Combine(directory, "git-theta.exe")))
        {
            throw new InvalidOperationException($"git-theta was not built at {directory}.");
        }

        return PrivateCopy(directory);
    });

    /// <summary>
    /// A copy of the built tool for this test run alone: a fixture that packs the tool (ToolPackageFeed) may rewrite the
    /// build output, and an executable that is being written cannot be started ("Text file busy", ETXTBSY), which failed
    /// whichever test happened to start git-theta at that moment.
    /// </summary>
    private static string PrivateCopy(string directory)
    {
        var copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gittheta-tests", $"tool-{System.Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(copy, System.IO.Path.GetRelativePath(directory, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(copy, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        };
        return copy;
    }

    /// <param name="inlineObjects">
    /// False (the default here) stores every object, however small, with <c>theta.inlineObjectBytes=0</c> in the
    /// sandbox's global config: most tests check the object store, push, fetch and gc on checkpoints whose groups are
    /// a few hundred bytes, which would otherwise all travel inline in the metadata. True keeps git-theta's defaults
    /// (InlineObjectTests and the tests that run what a new user runs).
    /// </param>
    public Sandbox(bool inlineObjects = false)
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gittheta-tests", Guid.NewGuid().ToString("N")[..12]);
        Home = System.IO.Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        File.WriteAllText(
            GlobalConfig,
            "[user]\n\tname = GitTheta Tests\n\temail = tests@gittheta.invalid\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
            + (inlineObjects ? string.Empty : "[theta]\n\tinlineObjectBytes = 0\n"));
    }

    /// <summary>The git-theta users install here: the native (AOT) executable on linux-x64, else the framework-dependent build.</summary>
    public static string ToolDirectory => ToolDirectoryLazy.Value;

    /// <summary>The framework-dependent net10.0 build (git-theta.dll) of the GitTheta.Tool.any package: what <c>dotnet git-theta.dll</c> runs.</summary>
    public static string ManagedToolDirectory { get; } = BuiltDirectory("GitThetaManagedToolDirectory");

    /// <summary>The net8.0 build of git-theta: the copy GitTheta.Sdk packs under tools/net/.</summary>
    public static string SdkToolDirectory { get; } = BuiltDirectory("GitThetaSdkToolDirectory");

    /// <summary>True when <see cref="ToolDirectory"/> holds the native executable (no git-theta.dll beside it).</summary>
    public static bool ToolIsNative => !File.Exists(System.IO.Path.Combine(ToolDirectory, "git-theta.dll"));

    private static string BuiltDirectory(string key) =>
        typeof(Sandbox).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    public string Root { get; }

    public string Home { get; }

    public Dictionary<string, string?> Environment { get; } = new();

    public static void RequireGitLfs()
    {
        var result = RunProcess("git", new[] { "lfs", "version" }, System.IO.Path.GetTempPath(), null, new Dictionary<string, string?>());
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("git-lfs is not installed; these tests need it (apt-get install -y git-lfs, which .ci/run does).");
        }
    }

    public string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    public GitRepo InitRepository(string name = "repo")
    {
        var directory = Path(name);
        Directory.CreateDirectory(directory);
        Git(directory, "init", "-q").EnsureSuccess("git init");
        return new GitRepo(this, directory);
    }

    public GitRepo InitBare(string name = "remote.git")
    {
        var directory = Path(name);
        Directory.CreateDirectory(directory);
        Git(directory, "init", "-q", "--bare").EnsureSuccess("git init --bare");
        return new GitRepo(this, directory);
    }

    public ProcessResult Git(string directory, params string[] arguments) => Run("git", arguments, directory);

    public ProcessResult Theta(string directory, params string[] arguments) => Run(System.IO.Path.Combine(ToolDirectory, "git-theta"), arguments, directory);

    /// <summary>The global git config every command of this sandbox reads and writes (GIT_CONFIG_GLOBAL).</summary>
    public string GlobalConfig => System.IO.Path.Combine(Home, ".gitconfig");

    public ProcessResult Run(string file, IEnumerable<string> arguments, string directory, byte[]? input = null, IDictionary<string, string?>? extra = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        ApplyEnvironment(start.Environment, extra);
        return RunProcess(start, input);
    }

    /// <summary>
    /// Makes <paramref name="target"/> (a child's environment, inherited from the shell that ran the tests) the
    /// sandbox's: every GIT_* variable the shell set (GIT_DIR, GIT_CONFIG_GLOBAL, GIT_CONFIG_PARAMETERS, every
    /// GIT_THETA_* setting, …) is dropped, so a developer's or CI's settings neither change what a test sees nor
    /// receive what a test writes (install --scope global); then the sandbox's own values, the test's
    /// <see cref="Environment"/>, and <paramref name="extra"/> (null removes a variable).
    /// </summary>
    public void ApplyEnvironment(IDictionary<string, string?> target, IDictionary<string, string?>? extra = null)
    {
        foreach (var key in target.Keys.Where(k => k.StartsWith("GIT_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            target.Remove(key);
        }

        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["XDG_CONFIG_HOME"] = System.IO.Path.Combine(Home, ".config"),
            ["XDG_DATA_HOME"] = System.IO.Path.Combine(Home, ".local", "share"),
            ["GIT_CONFIG_GLOBAL"] = GlobalConfig,
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["PATH"] = ToolDirectory + System.IO.Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"),
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["NO_COLOR"] = "1",
        };
        foreach (var (key, value) in Environment.Concat(extra ?? new Dictionary<string, string?>()))
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else
            {
                target[key] = value;
            }
        }
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

    private static ProcessResult RunProcess(string file, IEnumerable<string> arguments, string directory, byte[]? input, IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return RunProcess(start, input);
    }

    private static ProcessResult RunProcess(ProcessStartInfo start, byte[]? input)
    {
        var file = start.FileName;
        var arguments = start.ArgumentList;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.BaseStream.Write(input);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 3 minutes.");
        }

        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
