using System.Security.Cryptography;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;

namespace GitTheta.Tasks;

/// <summary>
/// Writes the content a git-lfs pointer stands for (a Hub <c>tokenizer.json</c> or checkpoint stored by plain git-lfs):
/// from git-lfs's local store when the object is there, else through the real git-lfs (<c>git lfs smudge</c>, which
/// downloads it from the repository's LFS remote). Every byte is checked against the pointer's SHA-256 and size before
/// the file is renamed into place, so a pointer (or a wrong object) is never shipped as the model. What cannot be had
/// is a <see cref="ThetaException"/> with code GT1011 that says what to install or fetch.
/// </summary>
internal static class LfsContentResolver
{
    public static void Resolve(GitRepository repository, string repositoryPath, LfsPointerContent pointer, string destination, Action<string> log)
    {
        var root = repository.WorkTree ?? throw Unresolved(pointer, "the repository has no work tree; build from a clone with one");
        var local = StoredObject(repository, pointer.Oid);
        if (File.Exists(local))
        {
            log($"{repositoryPath}: git-lfs object {pointer.Oid} from {local}.");
            using var stored = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            WriteVerified(destination, stored, pointer, $"the git-lfs object at {local}", $"delete {local} and build again to fetch it anew");
            return;
        }

        if (!GitEnvironment.HasGitLfs(root))
        {
            throw Unresolved(pointer, "git-lfs is not installed, so its content cannot be fetched (the pointer is never shipped as the model); " + GitEnvironment.InstallGitLfs);
        }

        log($"{repositoryPath}: fetching git-lfs object {pointer.Oid} through git-lfs.");
        var environment = new Dictionary<string, string?>
        {
            // A user who skips LFS smudging in checkouts still needs the content the build ships.
            ["GIT_LFS_SKIP_SMUDGE"] = null,

            // A build has nobody to answer a credential prompt: fail instead of hanging.
            ["GIT_TERMINAL_PROMPT"] = "0",
        };
        using var process = GitCli.Start(root, new[] { "lfs", "smudge", "--", repositoryPath }, environment);
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.BaseStream.Write(pointer.ToPointer());
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // git-lfs exited before reading the pointer; its exit code and stderr say why.
        }

        try
        {
            WriteVerified(destination, process.StandardOutput.BaseStream, pointer, "what git-lfs returned", "run 'git lfs fetch' in the repository and build again");
        }
        catch (ThetaException) when (!process.WaitForExit(TimeSpan.FromMinutes(1)) || process.ExitCode != 0)
        {
            // git-lfs failed: its own reason says more than a short read does.
            throw Unresolved(pointer, $"git-lfs could not fetch it ({FirstLine(errors.GetAwaiter().GetResult())}); check that the LFS remote has it ('git lfs fetch') and build again");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw Unresolved(pointer, $"git-lfs could not fetch it ({FirstLine(errors.GetAwaiter().GetResult())}); check that the LFS remote has it ('git lfs fetch') and build again");
        }
    }

    /// <summary>
    /// Brings the object into git-lfs's local store (what restore does, so that a later build needs no network),
    /// unless it is there already. git-lfs keeps what <c>git lfs smudge</c> downloads; the content itself is discarded.
    /// </summary>
    public static bool Prefetch(GitRepository repository, string repositoryPath, LfsPointerContent pointer, Action<string> log)
    {
        if (File.Exists(StoredObject(repository, pointer.Oid)))
        {
            return false;
        }

        var scratch = Path.Combine(Path.GetTempPath(), "gittheta-lfs-" + Guid.NewGuid().ToString("N"), "content");
        try
        {
            Resolve(repository, repositoryPath, pointer, scratch, log);
            return true;
        }
        finally
        {
            var folder = Path.GetDirectoryName(scratch)!;
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Where git-lfs keeps an object: <c>lfs.storage</c> (relative to the git directory), else <c>.git/lfs</c>.</summary>
    private static string StoredObject(GitRepository repository, string oid)
    {
        var storage = repository.GetConfig("lfs.storage") is { Length: > 0 } configured
            ? Path.GetFullPath(configured, repository.CommonDirectory)
            : Path.Combine(repository.CommonDirectory, "lfs");
        return Path.Combine(storage, "objects", oid[..2], oid[2..4], oid);
    }

    private static void WriteVerified(string destination, Stream content, LfsPointerContent pointer, string what, string repair)
    {
        var full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.theta-tmp");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    output.Write(buffer, 0, read);
                    length += read;
                }
            }

            var actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            if (length != pointer.Size || actual != pointer.Oid)
            {
                throw Unresolved(pointer, $"{what} is {length} bytes with SHA-256 {actual}, not the object; {repair}");
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static ThetaException Unresolved(LfsPointerContent pointer, string reason) =>
        new(DiagnosticIds.ModelContentUnresolved, $"the file is a git-lfs pointer (object {pointer.Oid}, {pointer.Size} bytes) and {reason}.");

    private static string FirstLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "no message";
}
