using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// The git-theta that git's drivers run in a repository configured from GitTheta.Sdk. The SDK's git-theta lives in
/// the NuGet packages folder, which <c>dotnet nuget locals all --clear</c> empties: a driver command pointing there stops
/// starting, and git then deletes the file it was checking out. So install copies the tool into the repository
/// (<c>.git/theta/tool/&lt;version&gt;/</c>) and points the drivers at a shim, <c>.git/theta/bin/git-theta</c>, that runs
/// the copy. When even the copy is gone (and no git-theta is on PATH), the shim says how to repair (GT1012) and still
/// never lets git delete a checkpoint: a checkout writes the git-theta metadata in its place (which the SDK builds from
/// and <c>git theta install</c> rebuilds), and everything that would store content (clean, pre-push, merge) fails.
/// </summary>
internal static class RepositoryShim
{
    /// <summary>
    /// The version and folder of a GitTheta.Sdk package in a NuGet packages folder (…/gittheta.sdk/&lt;version&gt;/tools/net/),
    /// or of a repository's copy of one (…/theta/tool/&lt;version&gt;/, when the shim's git-theta runs install); else null.
    /// </summary>
    public static (string Version, string Directory)? SdkPackage(string entryAssembly)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(entryAssembly));
        var parts = (directory ?? string.Empty).Replace('\\', '/').TrimEnd('/').Split('/');
        var n = parts.Length;
        if (n >= 4 && parts[n - 4].Equals("gittheta.sdk", StringComparison.OrdinalIgnoreCase) && parts[n - 2] == "tools" && parts[n - 1] == "net")
        {
            return (parts[n - 3], directory!);
        }

        if (n >= 3 && parts[n - 3] == "theta" && parts[n - 2] == "tool")
        {
            return (parts[n - 1], directory!);
        }

        return null;
    }

    /// <summary>Copies the tool into the repository (once per version), writes the shim, and returns the command git runs.</summary>
    public static string Install(string repositoryDirectory, string host, string toolDirectory, string version, string entryFileName)
    {
        var common = GitCli.Check(repositoryDirectory, "rev-parse", "--path-format=absolute", "--git-common-dir").Trim();
        var theta = Path.Combine(common, "theta");
        var tools = Path.Combine(theta, "tool");
        var copy = Path.Combine(tools, version);
        if (!File.Exists(Path.Combine(copy, entryFileName)))
        {
            CopyAtomically(toolDirectory, copy);
        }

        // Copies of other versions are no longer run by anything once the shim points at this one.
        foreach (var other in Directory.EnumerateDirectories(tools).Where(d => !Path.GetFileName(d).Equals(version, StringComparison.Ordinal)))
        {
            TryDelete(other);
        }

        var bin = Path.Combine(theta, "bin");
        Directory.CreateDirectory(bin);
        var shim = Path.Combine(bin, "git-theta");
        var temp = shim + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, Script(Path.Combine(copy, entryFileName), host, version).Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, (UnixFileMode)0b111_101_101);
        }

        File.Move(temp, shim, overwrite: true);
        return SelfInvocation.Quote(shim.Replace('\\', '/'));
    }

    /// <summary>Removes the shim and the tool copies (uninstall); what else lives under .git/theta is not touched.</summary>
    public static void Uninstall(string repositoryDirectory)
    {
        var common = GitCli.Run(repositoryDirectory, "rev-parse", "--path-format=absolute", "--git-common-dir");
        if (!common.Succeeded)
        {
            return;
        }

        var theta = Path.Combine(common.Text.Trim(), "theta");
        TryDelete(Path.Combine(theta, "tool"));
        var shim = Path.Combine(theta, "bin", "git-theta");
        if (File.Exists(shim))
        {
            File.Delete(shim);
        }
    }

    /// <summary>
    /// The shim: run the copy; else a git-theta on PATH; else print the repair (GT1012) and, for the long-running filter,
    /// speak just enough of git's filter protocol (pkt-line, version 2) to hand every smudged blob back unchanged and to
    /// refuse every clean, so that git neither deletes a checkpoint nor stores one as a plain blob.
    /// </summary>
    private static string Script(string tool, string host, string version) => $$"""
        #!/bin/sh
        # git-theta shim, written by 'git theta install' from GitTheta.Sdk {{version}}: git's theta drivers run this file.
        # It runs the copy of git-theta under .git/theta/tool/, which a NuGet cache clear does not remove.
        tool={{ShellQuote(tool)}}
        host={{ShellQuote(host)}}
        if [ -f "$tool" ]; then
          if [ -x "$host" ]; then exec "$host" "$tool" "$@"; fi
          if command -v dotnet >/dev/null 2>&1; then exec dotnet "$tool" "$@"; fi
        fi
        if command -v git-theta >/dev/null 2>&1; then exec git-theta "$@"; fi

        echo "git-theta: error {{DiagnosticIds.FilterCommandUnavailable}}: the git-theta that this repository's filters run is missing ($tool, or no dotnet to run it). Repair: run 'dotnet build' in a project that uses GitTheta.Sdk, or install the tool ('dotnet tool install -g GitTheta.Tool') and run 'git theta install' here. Checkpoints are checked out as git-theta metadata until then; 'git theta install' rebuilds them." >&2

        # git's long-running filter protocol: 4 hex digits of length (header included), then the payload; 0000 ends a list.
        read_packet() {
          header=$(dd bs=1 count=4 2>/dev/null)
          [ ${#header} -eq 4 ] || exit 0
          [ "$header" = 0000 ] && return 1
          text=$(dd bs=1 count=$((0x$header - 4)) 2>/dev/null)
          return 0
        }
        write_packet() { printf '%04x%s\n' $((${#1} + 5)) "$1"; }
        flush() { printf '0000'; }

        case "$1" in
          filter-process)
            while read_packet; do :; done
            write_packet git-filter-server; write_packet version=2; flush
            while read_packet; do :; done
            write_packet capability=clean; write_packet capability=smudge; flush
            content=$(mktemp) || exit 1
            trap 'rm -f "$content"' EXIT
            while :; do
              command=
              pathname=
              while read_packet; do
                case "$text" in
                  command=*) command=${text#command=} ;;
                  pathname=*) pathname=${text#pathname=} ;;
                esac
              done
              : > "$content"
              while :; do
                header=$(dd bs=1 count=4 2>/dev/null)
                [ ${#header} -eq 4 ] || exit 0
                printf '%s' "$header" >> "$content"
                [ "$header" = 0000 ] && break
                dd bs=1 count=$((0x$header - 4)) 2>/dev/null >> "$content"
              done
              if [ "$command" = smudge ]; then
                echo "git-theta: $pathname checked out as git-theta metadata ({{DiagnosticIds.FilterCommandUnavailable}})." >&2
                write_packet status=success; flush; cat "$content"; flush
              else
                echo "git-theta: error {{DiagnosticIds.FilterCommandUnavailable}}: cannot $command $pathname without git-theta; nothing was stored." >&2
                write_packet status=error; flush
              fi
            done
            ;;
          smudge) cat; exit 0 ;;
          *) exit 1 ;;
        esac

        """;

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static void CopyAtomically(string source, string destination)
    {
        var temp = Path.Combine(Path.GetDirectoryName(destination)!, "." + Path.GetFileName(destination) + "." + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(temp, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            TryDelete(destination);
            Directory.Move(temp, destination);
        }
        catch (IOException) when (Directory.Exists(destination))
        {
            // A parallel install put the same version in place first.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThetaException(DiagnosticIds.InvalidConfiguration, $"cannot copy git-theta into {destination} ({e.Message}); free some space or fix the permissions of the repository's .git folder, then run 'git theta install' again.");
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next install: an old copy costs disk, not correctness.
        }
    }
}
