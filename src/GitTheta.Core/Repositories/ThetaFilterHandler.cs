using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Repositories;

/// <summary>Serves clean and smudge requests for one repository (the filter process and the single-shot commands).</summary>
internal sealed class ThetaFilterHandler : IFilterHandler
{
    private readonly ThetaRepository repository;
    private readonly ThetaCleaner cleaner;
    private readonly ThetaSmudger smudger;
    private readonly Lazy<bool> passMetadataThrough = new(() => GitInvocation.IsDiffCommand(GitInvocation.ParentSubcommand()));

    public ThetaFilterHandler(ThetaRepository repository)
    {
        this.repository = repository;
        cleaner = new ThetaCleaner(repository.Engine, repository.Log);
        smudger = new ThetaSmudger(repository.Engine);
    }

    public byte[] Clean(Stream content, string path)
    {
        var relative = path.Replace('\\', '/');
        var previous = repository.PreviousMetadata(relative);
        var settings = repository.Settings;

        // One git process answers both attributes: a clean of many files pays one spawn each, not two.
        var attributes = repository.WorkTree is { } root
            ? GitAttributes.GetMany(root, relative, GitAttributes.FormatAttribute, UpdateTypeSelection.Attribute)
            : new Dictionary<string, string>();
        var format = attributes.GetValueOrDefault(GitAttributes.FormatAttribute);
        var updateAttribute = settings.UpdateTypeFromEnvironment ? null : attributes.GetValueOrDefault(UpdateTypeSelection.Attribute);
        var updateType = UpdateTypeSelection.Resolve(settings, updateAttribute);

        // HEAD's version is what incremental updates build on; a damaged one only costs incremental storage.
        var committed = repository.Updates.Get(updateType, relative).IsIncremental ? repository.HeadVersion(relative) : null;
        return cleaner.Clean(content, relative, previous, format, committed: committed, updateTypeName: updateType);
    }

    public ISmudgeResult Smudge(Stream content, string path) =>
        passMetadataThrough.Value
            ? ThetaSmudger.Replay(content)
            : smudger.Prepare(content, path.Replace('\\', '/'));
}
