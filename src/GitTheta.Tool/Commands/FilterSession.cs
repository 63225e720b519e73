using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Commands;

/// <summary>What every filter entry point (clean, smudge, filter-process) sets up: the repository, its hook, the handler.</summary>
internal sealed class FilterSession : IDisposable
{
    private FilterSession(ThetaRepository repository)
    {
        Repository = repository;
        Handler = new ThetaFilterHandler(repository);
    }

    public ThetaRepository Repository { get; }

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

    public void Dispose()
    {
        Handler.Dispose();
        Repository.Dispose();
    }
}
