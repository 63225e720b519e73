using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary>A machine without git-lfs, inside a sandbox: PATH holds git-theta and a bin folder of symlinks to every program of this machine's PATH except git-lfs.</summary>
internal static class PathWithoutGitLfs
{
    public static Dictionary<string, string?> Environment(Sandbox sandbox)
    {
        var bin = sandbox.Path("bin-without-git-lfs");
        if (!Directory.Exists(bin))
        {
            Directory.CreateDirectory(bin);
            var directories = (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            foreach (var program in directories.Where(Directory.Exists).SelectMany(Directory.EnumerateFileSystemEntries))
            {
                var link = Path.Combine(bin, Path.GetFileName(program));
                if (Path.GetFileName(program) != "git-lfs" && !File.Exists(link) && !Directory.Exists(link))
                {
                    File.CreateSymbolicLink(link, program);
                }
            }
        }

        var environment = new Dictionary<string, string?> { ["PATH"] = Sandbox.ToolDirectory + Path.PathSeparator + bin };
        Assert.NotEqual(0, sandbox.Run("git", new[] { "lfs", "version" }, sandbox.Root, extra: environment).ExitCode);
        return environment;
    }
}
