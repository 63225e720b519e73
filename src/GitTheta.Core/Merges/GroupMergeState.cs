namespace GitTheta.Core.Merges;

/// <summary>
/// What the two branches did to one parameter group since their common ancestor, decided from metadata alone.
/// The first nine resolve themselves; the last four are conflicts that need a strategy.
/// </summary>
internal enum GroupMergeState
{
    /// <summary>The same value on all three versions: kept.</summary>
    Unchanged,

    /// <summary>Only we changed it: ours.</summary>
    ChangedByOurs,

    /// <summary>Only they changed it: theirs.</summary>
    ChangedByTheirs,

    /// <summary>Both changed it to the same value (same object, or LSH-equal): kept.</summary>
    ChangedByBothEqually,

    /// <summary>Only we added it: ours.</summary>
    AddedByOurs,

    /// <summary>Only they added it: theirs.</summary>
    AddedByTheirs,

    /// <summary>Both added it with the same value: kept.</summary>
    AddedByBothEqually,

    /// <summary>Only we deleted it (they left it alone): gone.</summary>
    DeletedByOurs,

    /// <summary>Only they deleted it (we left it alone): gone.</summary>
    DeletedByTheirs,

    /// <summary>Both deleted it: gone.</summary>
    DeletedByBoth,

    /// <summary>Conflict: both changed it, differently.</summary>
    ChangedByBoth,

    /// <summary>Conflict: both added it, with different values (or dtypes, or shapes).</summary>
    AddedByBothDifferently,

    /// <summary>Conflict: we changed it, they deleted it.</summary>
    ChangedByOursDeletedByTheirs,

    /// <summary>Conflict: we deleted it, they changed it.</summary>
    DeletedByOursChangedByTheirs,
}
