using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Repositories;

/// <summary>Serves clean and smudge requests for one repository (the filter process and the single-shot commands).</summary>
internal sealed class ThetaFilterHandler : IFilterHandler, IDisposable
{
    private readonly ThetaRepository repository;
    private readonly ThetaCleaner cleaner;
    private readonly ThetaSmudger smudger;
    private readonly Lazy<bool> passMetadataThrough = new(() => GitInvocation.IsDiffCommand(GitInvocation.ParentSubcommand()));
    private readonly AttributeReader? attributes;
    private readonly Lazy<AttributeSources?> attributeSources;

    public ThetaFilterHandler(ThetaRepository repository)
    {
        this.repository = repository;
        cleaner = new ThetaCleaner(repository.Engine, repository.Log);
        smudger = new ThetaSmudger(repository.Engine);

        // Started on the first clean only: a checkout never asks.
        attributes = repository.WorkTree is { } root
            ? new AttributeReader(root, GitAttributes.FormatAttribute, UpdateTypeSelection.Attribute)
            : null;
        attributeSources = new(() => repository.WorkTree is { } workTree ? AttributeSources.For(repository.Git, workTree) : null);
    }

    public byte[] Clean(Stream content, string path)
    {
        var relative = path.Replace('\\', '/');

        // One long-running git answers both attributes for every file of the session, while this looks up the
        // file's previous metadata; it is not asked at all where no attribute file mentions them.
        var question = attributeSources.Value?.MayApply(relative) == false ? null : attributes?.Ask(relative);
        var previous = repository.PreviousMetadata(relative);
        var settings = repository.Settings;
        var set = question?.Answer() ?? new Dictionary<string, string>();
        var format = set.GetValueOrDefault(GitAttributes.FormatAttribute);
        var updateAttribute = settings.UpdateTypeFromEnvironment ? null : set.GetValueOrDefault(UpdateTypeSelection.Attribute);
        var updateType = UpdateTypeSelection.Resolve(settings, updateAttribute);

        // HEAD's version is what incremental updates build on; a damaged one only costs incremental storage.
        var committed = repository.Updates.Get(updateType, relative).IsIncremental ? repository.HeadVersion(relative) : null;
        return cleaner.Clean(content, relative, previous, format, committed: committed, updateTypeName: updateType);
    }

    public void Dispose() => attributes?.Dispose();

    public void Prefetch(IReadOnlyList<DelayedSmudge> upcoming)
    {
        if (!passMetadataThrough.Value)
        {
            smudger.Prefetch(Requests(upcoming));
        }
    }

    public bool LacksObjects(IReadOnlyList<DelayedSmudge> upcoming) =>
        !passMetadataThrough.Value && smudger.Missing(Requests(upcoming)).Count > 0;

    private static IEnumerable<(string Path, byte[] Content)> Requests(IReadOnlyList<DelayedSmudge> upcoming) =>
        upcoming.Select(d => (d.Path.Replace('\\', '/'), d.Request));

    public ISmudgeResult Smudge(Stream content, string path) =>
        passMetadataThrough.Value
            ? ThetaSmudger.Replay(content)
            : smudger.Prepare(content, path.Replace('\\', '/'));
}
