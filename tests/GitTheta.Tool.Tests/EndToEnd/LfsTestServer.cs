using System.Diagnostics;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// git-lfs's own test server (git smart HTTP and the LFS batch API) on 127.0.0.1, started by
/// <c>/work/shared/lfs-test-server/start.sh</c> (override with GIT_THETA_LFS_TEST_SERVER): a real HTTP remote, because
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
        var script = Environment.GetEnvironmentVariable("GIT_THETA_LFS_TEST_SERVER") ?? "/work/shared/lfs-test-server/start.sh";
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing; these tests need git-lfs's test server (set GIT_THETA_LFS_TEST_SERVER to its start.sh).");
        }

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
