using System.Diagnostics;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// git-lfs's own test server (git smart HTTP and the LFS batch API) on 127.0.0.1, started by
/// <c>shared/lfs-test-server/start.sh</c> beside the clone or under /work (override with GIT_THETA_LFS_TEST_SERVER): a real HTTP remote, because
/// git-lfs takes another path for file:// remotes. Stopped by its process id on dispose.
/// </summary>
public sealed class LfsTestServer : IDisposable
{
    private readonly string directory;
    private readonly int pid;

    private LfsTestServer(string directory, string baseUrl, int pid)
    {
        this.directory = directory;
        BaseUrl = baseUrl;
        this.pid = pid;
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string BaseUrl { get; }

    public static LfsTestServer Start(Sandbox sandbox)
    {
        var script = FindScript();

        var directory = sandbox.Path("lfs-server");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the lfs test server did not start in 10 minutes.");
        }

        var url = output.GetAwaiter().GetResult().Trim();
        if (process.ExitCode != 0 || !url.StartsWith("http://", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the lfs test server did not start: {error.GetAwaiter().GetResult()}");
        }

        return new LfsTestServer(directory, url, int.Parse(File.ReadAllText(Path.Combine(directory, "pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>GIT_THETA_LFS_TEST_SERVER, else the shared folder beside the clone (../shared), else /work/shared.</summary>
    private static string FindScript()
    {
        if (Environment.GetEnvironmentVariable("GIT_THETA_LFS_TEST_SERVER") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"GIT_THETA_LFS_TEST_SERVER names {configured}, which does not exist.");
        }

        var candidates = new List<string>();
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GitTheta.sln")))
            {
                candidates.Add(Path.Combine(directory.FullName, "..", "shared", "lfs-test-server", "start.sh"));
                break;
            }
        }

        candidates.Add("/work/shared/lfs-test-server/start.sh");
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"git-lfs's test server is not here (looked for {string.Join(", ", candidates)}); these tests need it: set GIT_THETA_LFS_TEST_SERVER to its start.sh.");
    }

    /// <summary>A new bare repository on the server that accepts pushes; returns its URL with the server's credentials.</summary>
    public string CreateRepository(Sandbox sandbox, string name)
    {
        var bare = Path.Combine(directory, "repos", name + ".git");
        Directory.CreateDirectory(bare);
        sandbox.Git(bare, "init", "-q", "--bare").EnsureSuccess("git init --bare");
        sandbox.Git(bare, "config", "http.receivepack", "true").EnsureSuccess("git config http.receivepack");
        return BaseUrl.Replace("http://", "http://user:pass@", StringComparison.Ordinal) + "/" + name + ".git";
    }

    public void Dispose()
    {
        try
        {
            using var server = Process.GetProcessById(pid);
            server.Kill();
            server.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
        }
    }
}
