using GitTheta.Core.Git;

namespace GitTheta.Tasks;

/// <summary>
/// What the machine and the clone lack when a model cannot be had, so that the diagnostic names the cause (no git-lfs,
/// a shallow clone) instead of a generic "fetch it" or "make the remote reachable".
/// </summary>
internal static class GitEnvironment
{
    /// <summary>The advice for a machine without git-lfs, shared by every diagnostic that needs it.</summary>
    public const string InstallGitLfs = "install git-lfs (https://git-lfs.com, or 'apt-get install git-lfs') and build again";

    /// <summary>True when <c>git lfs</c> runs in <paramref name="workTree"/> (git-lfs is on PATH and git finds it).</summary>
    public static bool HasGitLfs(string workTree) => GitCli.Run(workTree, "lfs", "version").Succeeded;

    /// <summary>
    /// True when the repository is a shallow clone (CI's default, 'git clone --depth'): older commits, and so most
    /// pinned Revisions, are not in it although they exist on the remote.
    /// </summary>
    public static bool IsShallow(GitRepository repository) => File.Exists(Path.Combine(repository.CommonDirectory, "shallow"));
}
