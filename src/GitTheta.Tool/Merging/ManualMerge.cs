using GitTheta.Core.Git;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Merging;

/// <summary>
/// GIT_THETA_MANUAL_MERGE=1: instead of merging, write our, their and the ancestor's checkpoints next to the file
/// (rebuilt through the smudge path, fetching objects as needed) and leave the merge conflicted for the user to finish.
/// </summary>
internal static class ManualMerge
{
    public const string EnvironmentVariable = "GIT_THETA_MANUAL_MERGE";

    public static ExitCode Run(GitRepository repository, string relativePath, ThetaMetadata? ancestor, ThetaMetadata ours, ThetaMetadata theirs)
    {
        var workTree = RepositoryContext.WorkTree(repository);
        var materializer = CheckpointMaterializer.WithLfsFetcher(repository, CommandRunner.Log);
        var written = new List<string>();
        foreach (var (side, metadata) in new[] { (MergeSide.Ours, ours), (MergeSide.Theirs, theirs), (MergeSide.Base, ancestor) })
        {
            if (metadata is null)
            {
                continue;
            }

            var target = SidePath(relativePath, side);
            materializer.Write(metadata, relativePath, Path.Combine(workTree, target));
            written.Add(target);
        }

        CommandRunner.Log($"{relativePath}: manual merge ({EnvironmentVariable}=1): wrote {string.Join(", ", written)}{(ancestor is null ? " (the branches have no common version of the file)" : string.Empty)}.");
        CommandRunner.Log($"{relativePath}: combine them as you like, save the result as {relativePath}, then run 'git add {relativePath}' (git-theta stores the new groups) and 'git commit'. "
            + $"Delete {string.Join(", ", written)} first so they are not committed; 'git merge --abort' gives up.");
        return ExitCode.Conflict;
    }

    /// <summary><c>models/model.safetensors</c> → <c>models/model.ours.safetensors</c>: the extension stays last, so tools still recognise the format.</summary>
    public static string SidePath(string relativePath, MergeSide side)
    {
        var directory = Path.GetDirectoryName(relativePath) ?? string.Empty;
        var name = Path.GetFileNameWithoutExtension(relativePath) + "." + side.Label() + Path.GetExtension(relativePath);
        return directory.Length == 0 ? name : Path.Combine(directory, name).Replace('\\', '/');
    }
}
