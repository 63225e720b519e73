using GitTheta.Core.Git;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The pre-push hook. An existing hook (git-lfs's, or the user's) is kept and chained, never overwritten:
/// it is renamed to pre-push.theta-chained and run after git-theta with the same input.
/// </summary>
internal static class PrePushHook
{
    public const string Marker = "# installed by git-theta";
    public const string ChainedSuffix = ".theta-chained";

    public static string HooksDirectory(string directory)
    {
        var configured = GitCli.Run(directory, "rev-parse", "--git-path", "hooks");
        configured.ThrowIfFailed(new[] { "rev-parse", "--git-path", "hooks" });
        return Path.GetFullPath(configured.Text.Trim(), directory);
    }

    public static void Install(string directory, string self) => InstallInto(HooksDirectory(directory), self);

    /// <summary>Writes the hook into <paramref name="hooks"/>, git's hooks folder for the repository.</summary>
    public static void InstallInto(string hooks, string self)
    {
        Directory.CreateDirectory(hooks);
        var hook = Path.Combine(hooks, "pre-push");
        var chained = hook + ChainedSuffix;
        if (File.Exists(hook) && !File.ReadAllText(hook).Contains(Marker, StringComparison.Ordinal))
        {
            if (File.Exists(chained))
            {
                throw new Core.Diagnostics.ThetaException(Core.Diagnostics.DiagnosticIds.InvalidConfiguration, $"both {hook} and {chained} exist and neither is git-theta's; merge them into one pre-push hook and run 'git theta install' again.");
            }

            File.Move(hook, chained);
        }

        var script = $$"""
            #!/bin/sh
            {{Marker}}: uploads new parameter objects with git-lfs, then runs the hook it replaced.
            input=$(mktemp) || exit 1
            trap 'rm -f "$input"' EXIT
            cat > "$input"
            {{self}} pre-push "$@" < "$input" || exit $?
            chained="$(dirname "$0")/pre-push{{ChainedSuffix}}"
            if [ -x "$chained" ]; then
                "$chained" "$@" < "$input" || exit $?
            elif command -v git-lfs >/dev/null 2>&1 && git config --get filter.lfs.process >/dev/null 2>&1; then
                git lfs pre-push "$@" < "$input" || exit $?
            fi
            exit 0

            """;
        File.WriteAllText(hook, script.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);
        }
    }

    /// <summary>
    /// Installs the hook where it is missing, as git-lfs does from its filters: a clone made with
    /// 'git theta install --scope global' gets its hook the first time git-theta runs in it.
    /// </summary>
    public static void EnsureInstalled(Core.Repositories.ThetaRepository repository, string workTree)
    {
        try
        {
            // Every filter process starts here: without core.hooksPath the folder is known without starting a git.
            var hooks = string.IsNullOrEmpty(repository.Git.GetConfig("core.hooksPath"))
                ? Path.Combine(repository.Git.CommonDirectory, "hooks")
                : HooksDirectory(workTree);
            var hook = Path.Combine(hooks, "pre-push");
            if (!File.Exists(hook) || !File.ReadAllText(hook).Contains(Marker, StringComparison.Ordinal))
            {
                // The folder is already known: a fresh clone's first filter process starts no git to find it again.
                InstallInto(hooks, Infrastructure.SelfInvocation.Command());
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Core.Diagnostics.ThetaException)
        {
            // A filter must not fail over a hook; 'git theta install' reports such problems.
        }
    }

    public static void Uninstall(string directory)
    {
        var hooks = HooksDirectory(directory);
        var hook = Path.Combine(hooks, "pre-push");
        var chained = hook + ChainedSuffix;
        if (File.Exists(hook) && File.ReadAllText(hook).Contains(Marker, StringComparison.Ordinal))
        {
            File.Delete(hook);
            if (File.Exists(chained))
            {
                File.Move(chained, hook);
            }
        }
    }
}
