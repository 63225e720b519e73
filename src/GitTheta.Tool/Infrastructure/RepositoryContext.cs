using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;

namespace GitTheta.Tool.Infrastructure;

/// <summary>Opens the repository the command runs in and demands a work tree where one is needed.</summary>
internal static class RepositoryContext
{
    /// <summary>The repository of the current directory, with its engine; git-lfs's complaints go to the command's log.</summary>
    public static ThetaRepository Open() => ThetaRepository.Discover(Environment.CurrentDirectory, CommandRunner.Log);

    public static string WorkTree(ThetaRepository repository) =>
        repository.WorkTree ?? throw new ThetaException(DiagnosticIds.NotAGitRepository, "this command needs a work tree, but the repository is bare.");
}
