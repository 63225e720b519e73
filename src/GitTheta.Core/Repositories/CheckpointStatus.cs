using GitTheta.Core.Git;
using GitTheta.Core.Metadata;

namespace GitTheta.Core.Repositories;

/// <summary>One tracked checkpoint as <c>git theta status</c> reports it.</summary>
/// <param name="Path">Repository-relative, '/' separators.</param>
internal sealed record CheckpointStatus(string Path)
{
    /// <summary>git's two letters as <c>git status --short</c> prints them: the index, then the work tree; ' ' is unchanged.</summary>
    public string Code { get; init; } = "  ";

    /// <summary>The index against HEAD.</summary>
    public FileChange Staged { get; init; }

    /// <summary>The working file against the index.</summary>
    public FileChange NotStaged { get; init; }

    /// <summary>The groups that differ between HEAD's and the staged metadata; null unless a staged change holds metadata.</summary>
    public MetadataDiff? StagedGroups { get; init; }

    /// <summary>The groups that differ between the staged metadata and the working file; null unless they were counted.</summary>
    public MetadataDiff? NotStagedGroups { get; init; }

    /// <summary>The index holds the file's own bytes rather than metadata: it was added where the filter was not configured.</summary>
    public bool StagedAsPlainFile { get; init; }

    /// <summary>The working file is metadata, not the checkpoint: it was checked out where the filter was not configured.</summary>
    public bool MetadataInWorkTree { get; init; }

    /// <summary>Distinct objects the staged version needs (container, groups, update chains).</summary>
    public int ObjectsNeeded { get; init; }

    /// <summary>How many of <see cref="ObjectsNeeded"/> are not in the local store (or have the wrong size).</summary>
    public int ObjectsMissing { get; init; }

    /// <summary>Whether there is anything to say about the file: a change on either side, or a problem.</summary>
    public bool IsNoteworthy =>
        Staged != FileChange.Unchanged || NotStaged != FileChange.Unchanged || StagedAsPlainFile || MetadataInWorkTree || ObjectsMissing > 0;
}
