using GitTheta.Core.Checkpoints;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
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
        cleaner = new ThetaCleaner(repository.ObjectStore, repository.Settings, CheckpointFormatRegistry.Default, UpdateTypeRegistry.Default, log);
        var fetcher = repository.WorkTree is { } root ? new LfsObjectFetcher(root, log, repository.ObjectStore) : null;
        smudger = new ThetaSmudger(repository.ObjectStore, repository.Settings, CheckpointFormatRegistry.Default, UpdateTypeRegistry.Default, fetcher);
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
        var committed = UpdateTypeRegistry.Default.Get(updateType, relative).IsIncremental ? Committed(relative) : null;
        return cleaner.Clean(content, relative, previous, format, committed: committed, updateTypeName: updateType);
    }

    /// <summary>HEAD's version of the file, which incremental updates build on; null before the first commit or when HEAD's is not metadata.</summary>
    private CommittedVersion? Committed(string relative)
    {
        if (repository.ResolveCommit("HEAD") is not { } head || repository.ReadBlobAt(head.Sha, relative, MetadataSerializer.MaxMetadataBytes) is not { } blob)
        {
            return null;
        }

        try
        {
            return MetadataSerializer.TryParse(blob, relative) is { } metadata ? new CommittedVersion(head.Sha, metadata) : null;
        }
        catch (Diagnostics.ThetaException)
        {
            // A damaged committed version only costs incremental storage: changed groups are stored dense.
            return null;
        }
    }

    public ISmudgeResult Smudge(Stream content, string path) =>
        passMetadataThrough.Value
            ? ThetaSmudger.Replay(content)
            : smudger.Prepare(content, path.Replace('\\', '/'));
}
