using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>What every filter entry point (clean, smudge, filter-process) sets up: the repository, its hook, the handler.</summary>
public sealed class FilterSession : IDisposable
{
    private FilterSession(GitRepository repository)
    {
        Repository = repository;
        Handler = new ThetaFilterHandler(repository, CommandRunner.Log);
    }

    public GitRepository Repository { get; }

    public ThetaFilterHandler Handler { get; }

    public static FilterSession Open()
    {
        var repository = RepositoryContext.Open();
        if (repository.WorkTree is { } workTree)
        {
            PrePushHook.EnsureInstalled(workTree);
        }

        return new FilterSession(repository);
    }

    public void Dispose() => Repository.Dispose();
}
