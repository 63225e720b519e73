using GitTheta.Core.Filters;
using GitTheta.Core.Repositories;
using GitTheta.Tool.Infrastructure;
using GitTheta.Tool.Progress;

namespace GitTheta.Tool.Commands;

/// <summary>What every filter entry point (clean, smudge, filter-process) sets up: the repository, its hook, the handler.</summary>
internal sealed class FilterSession : IDisposable
{
    private readonly ThetaFilterHandler engineHandler;

    private FilterSession(ThetaRepository repository, ProgressSettings progress)
    {
        Repository = repository;
        engineHandler = new ThetaFilterHandler(repository);
        if (progress.Enabled)
        {
            var metered = new ProgressFilterHandler(engineHandler, progress, repository.WorkTree);
            WorkProgressReporter.AttachToFetcher(repository, progress, () => metered.CurrentPath ?? "parameter objects", progress.Threshold);
            Handler = metered;
        }
        else
        {
            Handler = engineHandler;
        }
    }

    public ThetaRepository Repository { get; }

    public IFilterHandler Handler { get; }

    public static FilterSession Open()
    {
        // git passes no --progress or --quiet to a filter; stderr is the user's, so the terminal and GIT_THETA_PROGRESS decide.
        var progress = ProgressSettings.Resolve();
        var repository = RepositoryContext.Open();
        if (repository.WorkTree is { } workTree)
        {
            PrePushHook.EnsureInstalled(repository, workTree);
        }

        return new FilterSession(repository, progress);
    }

    public void Dispose()
    {
        engineHandler.Dispose();
        Repository.Dispose();
    }
}
