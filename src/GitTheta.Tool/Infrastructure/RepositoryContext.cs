using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;

namespace GitTheta.Tool.Infrastructure;

/// <summary>Opens the repository the command runs in and demands a work tree where one is needed.</summary>
public static class RepositoryContext
{
    public static GitRepository Open() => GitRepository.Discover(Environment.CurrentDirectory);

    public static string WorkTree(GitRepository repository) =>
        repository.WorkTree ?? throw new ThetaException(DiagnosticIds.NotAGitRepository, "this command needs a work tree, but the repository is bare.");
}
