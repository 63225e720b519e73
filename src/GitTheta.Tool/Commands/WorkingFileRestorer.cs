using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>
/// After a clone made without the filter, tracked checkpoints sit in the work tree as metadata and git
/// considers them up to date, so a plain checkout would not rebuild them. Each such file is checked out
/// again through the filter; if that fails the metadata is put back as it was.
/// </summary>
internal static class WorkingFileRestorer
{
    private static bool SameAsIndex(string root, string path, byte[] bytes)
    {
        var staged = GitCli.Run(root, "cat-file", "blob", ":" + path);
        return staged.Succeeded && staged.Output.AsSpan().SequenceEqual(bytes);
    }

    /// <param name="only">Restores only these paths (relative, '/' separators); null for every tracked file.</param>
    public static int RestoreMetadataOnlyFiles(string directory, Func<string, bool>? only = null)
    {
        var root = GitCli.Check(directory, "rev-parse", "--show-toplevel").Trim();
        if (root.Length == 0)
        {
            return 0;
        }

        var restored = 0;
        foreach (var path in LsFilesCommand.TrackedFiles(root).Where(p => only is null || only(p)))
        {
            var full = Path.Combine(root, path);
            if (ThetaRepository.ReadMetadataFile(full, path) is null)
            {
                continue;
            }

            var bytes = File.ReadAllBytes(full);
            if (!SameAsIndex(root, path, bytes))
            {
                // A working file that differs from what is staged holds someone's edits: leave it alone.
                continue;
            }

            File.Delete(full);
            var result = GitCli.Run(root, "checkout", "--", path);
            if (!result.Succeeded || !File.Exists(full))
            {
                File.WriteAllBytes(full, bytes);
                CommandRunner.Warn($"could not rebuild {path}: {result.Error.Trim().Split('\n')[0]}");
                continue;
            }

            restored++;
        }

        return restored;
    }
}
