using GitTheta.Core.Checkpoints;
using GitTheta.Core.Git;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Filters;

/// <summary>Serves clean and smudge requests for one repository (the filter process and the single-shot commands).</summary>
public sealed class ThetaFilterHandler : IFilterHandler
{
    private readonly GitRepository repository;
    private readonly ThetaCleaner cleaner;
    private readonly ThetaSmudger smudger;
    private readonly Lazy<bool> passMetadataThrough = new(() => GitInvocation.IsDiffCommand(GitInvocation.ParentSubcommand()));

    public ThetaFilterHandler(GitRepository repository, Action<string> log)
    {
        this.repository = repository;
        cleaner = new ThetaCleaner(repository.ObjectStore, repository.Settings, CheckpointFormatRegistry.Default, UpdateTypeRegistry.Default);
        var fetcher = repository.WorkTree is { } root ? new LfsObjectFetcher(root, log) : null;
        smudger = new ThetaSmudger(repository.ObjectStore, repository.Settings, CheckpointFormatRegistry.Default, UpdateTypeRegistry.Default, fetcher);
    }

    public byte[] Clean(Stream content, string path)
    {
        var relative = path.Replace('\\', '/');
        var previous = repository.PreviousMetadata(relative);
        var format = repository.WorkTree is { } root ? GitAttributes.Get(root, relative, GitAttributes.FormatAttribute) : null;
        return cleaner.Clean(content, relative, previous, format);
    }

    public ISmudgeResult Smudge(Stream content, string path) =>
        passMetadataThrough.Value
            ? ThetaSmudger.Replay(content)
            : smudger.Prepare(content, path.Replace('\\', '/'));
}
