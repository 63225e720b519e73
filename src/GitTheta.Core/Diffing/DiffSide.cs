using GitTheta.Core.Metadata;

namespace GitTheta.Core.Diffing;

/// <summary>One version of a checkpoint that a diff compares.</summary>
/// <param name="Path">The name the diff shows for it (repository-relative for versions git stores).</param>
/// <param name="Metadata">Its metadata; null when the version does not exist (every group added or removed).</param>
internal sealed record DiffSide(string Path, ThetaMetadata? Metadata)
{
    /// <summary>
    /// The checkpoint file the metadata was computed from, in memory and without storing anything (a modified working
    /// file): the values of its changed groups are in this file and nowhere else. Null for stored versions.
    /// </summary>
    public string? CheckpointFile { get; init; }

    /// <summary>The revision the version was read from, when there is one, for the fetch command a message suggests.</summary>
    public string? Revision { get; init; }
}
