using System.Diagnostics;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Merging;

/// <summary>
/// GIT_THETA_MANUAL_MERGE=1: instead of merging, write our, their and the ancestor's checkpoints next to the file
/// (rebuilt through the smudge path, fetching objects as needed) and leave the merge conflicted for the user to finish.
/// A name that holds a file git-theta did not write (see <see cref="ManualMergeRecord"/>) is left alone and the next
/// free one is used; all versions are built before any is placed, so a failure leaves none behind.
/// </summary>
internal static class ManualMerge
{
    public const string EnvironmentVariable = "GIT_THETA_MANUAL_MERGE";

    /// <summary>Names tried per version: model.ours.safetensors, then model.ours.1.safetensors … model.ours.9.safetensors.</summary>
    public const int AlternativeNames = 9;

    public static ExitCode Run(ThetaRepository repository, string relativePath, ThetaMetadata? ancestor, ThetaMetadata ours, ThetaMetadata theirs)
    {
        var workTree = RepositoryContext.WorkTree(repository);
        var folder = RecordFolder(repository);
        var record = ManualMergeRecord.Load(folder);
        var versions = new[] { (MergeSide.Ours, ours), (MergeSide.Theirs, theirs), (MergeSide.Base, ancestor) }
            .Where(v => v.Item2 is not null)
            .Select(v => (Side: v.Item1, Metadata: v.Item2!))
            .ToList();

        // Names first: when a version has none free, nothing is built and nothing is written.
        var targets = versions.Select(v => ChooseName(workTree, relativePath, v.Side, record)).ToList();

        RemoveStaleStaging(folder);
        var staging = Path.Combine(folder, $"staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var placed = new List<string>();
        try
        {
            // Built in the git directory, where git never looks and a killed merge leaves nothing in the work tree.
            var materializer = repository.Materializer;
            var staged = versions.Select((v, i) =>
            {
                var file = Path.Combine(staging, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                materializer.Write(v.Metadata, relativePath, file);
                return file;
            }).ToList();

            for (var i = 0; i < versions.Count; i++)
            {
                var hash = ManualMergeRecord.Hash(staged[i]);
                targets[i] = Place(workTree, relativePath, versions[i].Side, staged[i], targets[i], record);
                placed.Add(targets[i].Name);
                record.Add(hash, relativePath, targets[i].Name);
            }

            record.Save(workTree);
        }
        catch
        {
            foreach (var name in placed)
            {
                TryDelete(Path.Combine(workTree, name));
                record.Remove(name);
            }

            throw;
        }
        finally
        {
            TryDeleteDirectory(staging);
        }

        var written = targets.Select(t => t.Name + (t.Skipped.Count > 0 ? $" ({string.Join(", ", t.Skipped)} {(t.Skipped.Count == 1 ? "is" : "are")} not git-theta's and stay{(t.Skipped.Count == 1 ? "s" : string.Empty)} as {(t.Skipped.Count == 1 ? "it is" : "they are")})" : string.Empty)).ToList();
        var names = string.Join(", ", targets.Select(t => t.Name));
        CommandRunner.Log($"{relativePath}: manual merge ({EnvironmentVariable}=1): wrote {string.Join(", ", written)}{(ancestor is null ? " (the branches have no common version of the file)" : string.Empty)}.");
        CommandRunner.Log($"{relativePath}: combine them as you like, save the result as {relativePath}, then run 'git add {relativePath}' (git-theta stores the new groups) and 'git commit'. "
            + $"Delete {names} first so they are not committed. 'git merge --abort' gives up, and git does not remove these files then: delete them yourself, or the next merge of {relativePath} removes them if they are unchanged.");
        return ExitCode.Conflict;
    }

    /// <summary>
    /// Removes the side files an earlier manual merge of <paramref name="relativePath"/> left behind (git aborted the
    /// merge, or it was given up), as long as they hold exactly what git-theta wrote and git does not track them.
    /// </summary>
    public static void RemoveLeftovers(ThetaRepository repository, string relativePath)
    {
        if (repository.WorkTree is not { } workTree)
        {
            return;
        }

        var record = ManualMergeRecord.Load(RecordFolder(repository));
        var leftovers = record.SideFilesOf(relativePath);
        if (leftovers.Count == 0)
        {
            return;
        }

        var removed = new List<string>();
        foreach (var name in leftovers)
        {
            var full = Path.Combine(workTree, name);
            if (record.HoldsWhatWasWritten(name, full) && !IsTracked(workTree, name))
            {
                File.Delete(full);
                removed.Add(name);
            }

            // Edited, tracked or gone: no longer git-theta's to remove, now or later.
            record.Remove(name);
        }

        record.Save(workTree);
        if (removed.Count > 0)
        {
            CommandRunner.Log($"{relativePath}: removed {string.Join(", ", removed)}, left unchanged by an earlier manual merge of {relativePath}.");
        }
    }

    /// <summary><c>models/model.safetensors</c> → <c>models/model.ours.safetensors</c>: the extension stays last, so tools still recognise the format.</summary>
    public static string SidePath(string relativePath, MergeSide side, int alternative = 0)
    {
        var directory = Path.GetDirectoryName(relativePath) ?? string.Empty;
        var name = Path.GetFileNameWithoutExtension(relativePath) + "." + side.Label()
            + (alternative == 0 ? string.Empty : "." + alternative.ToString(System.Globalization.CultureInfo.InvariantCulture))
            + Path.GetExtension(relativePath);
        return directory.Length == 0 ? name : Path.Combine(directory, name).Replace('\\', '/');
    }

    private static string RecordFolder(ThetaRepository repository) => Path.Combine(repository.GitDirectory, "theta", "manual-merge");

    /// <summary>The first name that is free or holds an unchanged, untracked file git-theta wrote; GT2026 when there is none.</summary>
    private static Target ChooseName(string workTree, string relativePath, MergeSide side, ManualMergeRecord record)
    {
        var skipped = new List<string>();
        for (var alternative = 0; alternative <= AlternativeNames; alternative++)
        {
            var name = SidePath(relativePath, side, alternative);
            var full = Path.Combine(workTree, name);
            if (!Occupied(full) || (record.HoldsWhatWasWritten(name, full) && !IsTracked(workTree, name)))
            {
                return new Target(name, skipped);
            }

            skipped.Add(name);
        }

        throw new ThetaException(
            DiagnosticIds.WouldOverwriteFile,
            $"{relativePath}: manual merge ({EnvironmentVariable}=1) needs a file for the {side.Label()} version, but {skipped[0]} and {SidePath(relativePath, side, 1)} to {SidePath(relativePath, side, AlternativeNames)} "
            + $"all exist and git-theta did not write them (or they were changed since); nothing was written. Move or delete some of them, then run '{EnvironmentVariable}=1 git checkout -m -- {relativePath}'.");
    }

    /// <summary>
    /// Moves the built file to its name without ever replacing what someone else put there: a free name is claimed
    /// first by creating it exclusively, and an occupied one is replaced only while it holds what git-theta wrote.
    /// </summary>
    private static Target Place(string workTree, string relativePath, MergeSide side, string staged, Target target, ManualMergeRecord record)
    {
        var full = Path.Combine(workTree, target.Name);
        if (Occupied(full))
        {
            // ChooseName found git-theta's own unchanged file here; it is still checked again just before replacing it.
            if (record.HoldsWhatWasWritten(target.Name, full))
            {
                File.Move(staged, full, overwrite: true);
                return target;
            }
        }
        else if (Claim(full))
        {
            // The name is ours now (an empty file nobody else could have made); the built file replaces it whole.
            File.Move(staged, full, overwrite: true);
            return target;
        }

        var next = ChooseName(workTree, relativePath, side, record);
        if (next.Name == target.Name)
        {
            throw new ThetaException(DiagnosticIds.WouldOverwriteFile, $"{relativePath}: {target.Name} changed while the manual merge wrote it; nothing was written. Run '{EnvironmentVariable}=1 git checkout -m -- {relativePath}' again.");
        }

        return Place(workTree, relativePath, side, staged, next, record);
    }

    /// <summary>
    /// Creates the file only if nothing is at the path (O_CREAT|O_EXCL: an existing file, directory or symlink, even a
    /// dangling one, makes it fail), so a name taken since it was chosen is never written through.
    /// </summary>
    private static bool Claim(string fullPath)
    {
        try
        {
            using (new FileStream(fullPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
            }

            return true;
        }
        catch (IOException) when (Occupied(fullPath))
        {
            return false;
        }
    }

    /// <summary>Anything at the path, including a symlink whose target is missing.</summary>
    private static bool Occupied(string fullPath) =>
        File.Exists(fullPath) || Directory.Exists(fullPath) || new FileInfo(fullPath).LinkTarget is not null;

    private static bool IsTracked(string workTree, string name)
    {
        var run = GitCli.Run(workTree, "ls-files", "-z", "--", name);
        run.ThrowIfFailed(new[] { "ls-files", "-z", "--", name });
        return run.Output.Length > 0;
    }

    /// <summary>Staging folders of merges that were killed (their process is gone).</summary>
    private static void RemoveStaleStaging(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(folder, "staging-*"))
        {
            var parts = Path.GetFileName(directory).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                TryDeleteDirectory(directory);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Where a version goes, and the names passed over because they hold files git-theta did not write.</summary>
    private sealed record Target(string Name, IReadOnlyList<string> Skipped);
}
