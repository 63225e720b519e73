using System.Diagnostics;
using System.Text;

namespace GitTheta.Tasks.Tests.Infrastructure;

/// <summary>
/// A real git repository in a temp folder, made and committed to with the real <c>git</c> (identity on the command
/// line, no system config), deleted on dispose.
/// </summary>
public sealed class TempRepository : IDisposable
{
    public TempRepository()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gittheta-tasks-tests", Guid.NewGuid().ToString("N"));
        Directory = System.IO.Path.Combine(Root, "repo");
        System.IO.Directory.CreateDirectory(Directory);
        GitOk("init", "-q", "-b", "main");
    }

    /// <summary>The temp folder; the repository is its "repo" subfolder, so a sibling folder is outside any repository.</summary>
    public string Root { get; }

    public string Directory { get; }

    public string Path(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, relative));

    public void Write(string relative, byte[] bytes)
    {
        var full = Path(relative);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }

    public void Write(string relative, string text) => Write(relative, Encoding.UTF8.GetBytes(text));

    /// <summary>Stages everything and commits; returns the commit id.</summary>
    public string CommitAll(string message)
    {
        GitOk("add", "-A");
        GitOk("commit", "-q", "-m", message);
        return GitOk("rev-parse", "HEAD").Trim();
    }

    public string GitOk(params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", "user.name=GitTheta Tests", "-c", "user.email=tests@gittheta.invalid", "-c", "commit.gpgsign=false" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Result}");
        }

        return output;
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Root))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            System.IO.Directory.Delete(Root, recursive: true);
        }
    }
}
