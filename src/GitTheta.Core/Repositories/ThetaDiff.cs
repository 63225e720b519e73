using GitTheta.Core.Metadata;

namespace GitTheta.Core.Repositories;

/// <summary>
/// How two versions of a checkpoint differ, group by group, from their metadata alone: no value is read, so a diff
/// costs what reading two small metadata blobs costs. A group is modified when its stored value, shape, dtype or update
/// type differs.
/// </summary>
public sealed class ThetaDiff
{
    internal ThetaDiff(string path, string beforeRevision, string afterRevision, MetadataDiff diff)
    {
        Path = path;
        BeforeRevision = beforeRevision;
        AfterRevision = afterRevision;
        Changes = diff.Changes
            .Select(c => new ThetaGroupChange(
                c.Name,
                c.Kind switch { ChangeKind.Added => ThetaChangeKind.Added, ChangeKind.Removed => ThetaChangeKind.Removed, _ => ThetaChangeKind.Modified },
                c.Before is null ? null : new ThetaGroup(c.Name, c.Before),
                c.After is null ? null : new ThetaGroup(c.Name, c.After)))
            .ToList();
        GroupCount = diff.Total;
    }

    /// <summary>The checkpoint's repository-relative path.</summary>
    public string Path { get; }

    /// <summary>The revision of the older version, as it was given.</summary>
    public string BeforeRevision { get; }

    /// <summary>The revision of the newer version, as it was given.</summary>
    public string AfterRevision { get; }

    /// <summary>The groups that differ, ordered by name (ordinal); empty when the two versions hold the same values.</summary>
    public IReadOnlyList<ThetaGroupChange> Changes { get; }

    /// <summary>How many groups the two versions have together.</summary>
    public int GroupCount { get; }

    /// <summary>Groups only the newer version has.</summary>
    public int Added => Changes.Count(c => c.Kind == ThetaChangeKind.Added);

    /// <summary>Groups only the older version has.</summary>
    public int Removed => Changes.Count(c => c.Kind == ThetaChangeKind.Removed);

    /// <summary>Groups both versions have, with a difference.</summary>
    public int Modified => Changes.Count(c => c.Kind == ThetaChangeKind.Modified);
}
