namespace GitTheta.Core.Storage;

/// <summary>Objects a value needs that the local store lacks, after one download attempt for all of them.</summary>
internal static class MissingObjects
{
    /// <summary>The objects still missing after asking <paramref name="fetcher"/> (when there is one) for every missing one at once.</summary>
    public static IReadOnlyList<ObjectRef> AfterFetching(LfsObjectStore store, IEnumerable<ObjectRef> objects, IObjectFetcher? fetcher)
    {
        var missing = objects.Where(o => !store.Contains(o)).DistinctBy(o => o.Oid).ToList();
        if (missing.Count > 0 && fetcher is not null)
        {
            fetcher.Fetch(missing);
            missing = missing.Where(o => !store.Contains(o)).ToList();
        }

        return missing;
    }

    /// <summary>" (and 2 more objects)", after the first of <paramref name="count"/> missing objects in a message; empty for one.</summary>
    public static string More(int count) =>
        count > 1 ? $" (and {count - 1} more object{(count > 2 ? "s" : string.Empty)})" : string.Empty;
}
