using System.Diagnostics;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>
/// Makes the repository that holds the project a git-theta repository when it is not one yet (a fresh clone): runs
/// <c>git-theta install</c>, which writes the filter, diff and merge drivers "theta" into the repository's config,
/// installs the pre-push hook that uploads parameter objects, and rebuilds checkpoints checked out as metadata. The
/// git-theta that runs is the one inside GitTheta.Sdk (through the dotnet host), unless ToolCommand names another.
/// install, run from the package, copies the tool into the repository and points the drivers at a shim under .git/theta/
/// (so a NuGet cache clear cannot break git). A repository whose drivers are already configured (at any scope) is left
/// alone, except when they would not survive a cache clear: they run a git-theta.dll from the NuGet packages folder, or
/// one that no longer exists, or a shim whose copy is gone.
/// </summary>
public sealed class ConfigureThetaRepository : ThetaTask
{
    private const string ProcessKey = "filter.theta.process";

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>The git-theta.dll packed in GitTheta.Sdk.</summary>
    public string BundledTool { get; set; } = string.Empty;

    /// <summary>A git-theta command line to use instead (for example "git-theta" when the tool is installed globally).</summary>
    public string ToolCommand { get; set; } = string.Empty;

    /// <summary>The dotnet host that runs <see cref="BundledTool"/>; by default the one running MSBuild.</summary>
    public string DotnetHost { get; set; } = string.Empty;

    [Output]
    public bool Configured { get; private set; }

    protected override void Run()
    {
        var top = GitCli.Run(ProjectDirectory, "rev-parse", "--show-toplevel", "--git-common-dir");
        if (!top.Succeeded)
        {
            Detail($"{ProjectDirectory} is not inside a git work tree; nothing to configure.");
            return;
        }

        var lines = top.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var root = lines[0].Trim();
        var commonDirectory = Path.GetFullPath(lines.Length > 1 ? lines[1].Trim() : ".git", ProjectDirectory);
        if (IsConfigured(root))
        {
            return;
        }

        using (CrossProcessLock.Acquire(commonDirectory, TimeSpan.FromMinutes(30)))
        {
            if (IsConfigured(root))
            {
                return;
            }

            var (exitCode, output, errors) = RunInstall(root);
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Detail(line.TrimEnd());
            }

            if (exitCode != 0)
            {
                var reason = errors.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? $"exit code {exitCode}";
                Warning(DiagnosticIds.RepositoryConfigurationFailed, $"could not configure git-theta in {root} ({reason}); run 'git theta install' there, or set GitThetaConfigureRepository=false.");
                return;
            }
        }

        Configured = true;
        Info($"configured git-theta in {root} (filter, diff and merge drivers \"theta\", pre-push hook), running {Describe()}.");
    }

    private bool IsConfigured(string root)
    {
        var configured = GitCli.Run(root, "config", "--get", ProcessKey);
        var command = configured.Succeeded ? configured.Text.Trim() : string.Empty;
        if (command.Length == 0)
        {
            return false;
        }

        var tokens = Tokens(command).ToList();
        var missing = tokens.FirstOrDefault(t => t.EndsWith("git-theta.dll", StringComparison.OrdinalIgnoreCase) && !File.Exists(t));
        if (missing is not null)
        {
            Detail($"{ProcessKey} runs {missing}, which no longer exists; configuring again.");
            return false;
        }

        // Drivers that run GitTheta.Sdk's git-theta straight from the NuGet packages folder (as versions before the
        // repository shim did) stop starting after a cache clear: move them to the shim now, while they still work.
        var inCache = tokens.FirstOrDefault(t => t.EndsWith("git-theta.dll", StringComparison.OrdinalIgnoreCase) && InSdkPackage(t));
        if (inCache is not null)
        {
            Detail($"{ProcessKey} runs {inCache} from the NuGet packages folder, which a cache clear removes; configuring the repository's own copy.");
            return false;
        }

        if (tokens.FirstOrDefault() is { } first && ShimTarget(first) is { } target && !File.Exists(target))
        {
            Detail($"{ProcessKey} runs {first}, whose git-theta {target} no longer exists; configuring again.");
            return false;
        }

        Detail($"git-theta is already configured in {root} ({ProcessKey} = {command}).");
        return true;
    }

    private static bool InSdkPackage(string assembly)
    {
        var parts = Path.GetFullPath(assembly).Replace('\\', '/').Split('/');
        return parts.Length >= 5 && parts[^5].Equals("gittheta.sdk", StringComparison.OrdinalIgnoreCase) && parts[^3] == "tools" && parts[^2] == "net";
    }

    /// <summary>The git-theta a repository shim (.git/theta/bin/git-theta, written by install) runs, from its <c>tool='…'</c> line.</summary>
    private static string? ShimTarget(string command)
    {
        if (!command.EndsWith("/theta/bin/git-theta", StringComparison.Ordinal) || !File.Exists(command))
        {
            return null;
        }

        var line = File.ReadLines(command).FirstOrDefault(l => l.StartsWith("tool='", StringComparison.Ordinal));
        return line is null ? null : line["tool='".Length..^1].Replace("'\\''", "'");
    }

    private (int ExitCode, string Output, string Errors) RunInstall(string root)
    {
        ProcessStartInfo start;
        if (ToolCommand.Trim().Length > 0)
        {
            start = OperatingSystem.IsWindows()
                ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/d", "/c", ToolCommand.Trim() + " install" } }
                : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", ToolCommand.Trim() + " install" } };
        }
        else
        {
            if (!File.Exists(BundledTool))
            {
                return (-1, string.Empty, $"the git-theta of GitTheta.Sdk is missing at {BundledTool}");
            }

            start = new ProcessStartInfo(Host()) { ArgumentList = { BundledTool, "install" } };
        }

        start.WorkingDirectory = root;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (-1, string.Empty, $"cannot run {start.FileName}: {e.Message}");
        }
    }

    private string Host()
    {
        if (DotnetHost.Length > 0)
        {
            return DotnetHost;
        }

        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return process;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    private string Describe() => ToolCommand.Trim().Length > 0 ? ToolCommand.Trim() : BundledTool;

    /// <summary>The words of a command as sh splits them (single and double quotes, no expansion).</summary>
    private static IEnumerable<string> Tokens(string command)
    {
        var current = new StringBuilder();
        var quote = '\0';
        var any = false;
        foreach (var c in command)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || current.Length > 0)
                {
                    yield return current.ToString();
                }

                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }

        if (any || current.Length > 0)
        {
            yield return current.ToString();
        }
    }
}
