namespace GitTheta.Core.Storage;

/// <summary>
/// Deletes the objects of the local store that nothing needs any more: neither named by a reference source
/// (theta metadata and git-lfs pointers anywhere git still keeps them) nor changed within a grace period, during
/// which a concurrent <c>git add</c> may have stored objects that no index names yet. Also removes temp files
/// older than the grace period.
/// </summary>
internal sealed class ObjectCollector
{
    private readonly LfsObjectStore store;
    private readonly IObjectReferenceSource references;

    public ObjectCollector(LfsObjectStore store, IObjectReferenceSource references)
    {
        this.store = store;
        this.references = references;
    }

    /// <summary>Told before the removals start, after each candidate and at the end (objects and their bytes).</summary>
    public IProgress<IO.WorkProgress>? Progress { get; init; }

    /// <param name="keepChangedSinceUtc">Objects and temp files modified at or after this time are kept; <see cref="DateTime.MaxValue"/> keeps none for their age.</param>
    /// <param name="dryRun">Only report what would be removed.</param>
    public CollectionReport Collect(DateTime keepChangedSinceUtc, bool dryRun)
    {
        // The store is listed before the references are read, so an object that appears during the scan is never a
        // candidate, and a scan that throws leaves everything in place.
        var stored = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        foreach (var found in store.EnumerateObjects())
        {
            stored[found.Oid] = found;
        }

        var referencedOids = new HashSet<string>(StringComparer.Ordinal);
        references.Scan(oid =>
        {
            if (stored.ContainsKey(oid))
            {
                referencedOids.Add(oid);
            }
        });

        var referenced = new List<StoredObject>();
        var recent = new List<StoredObject>();
        var candidates = new List<StoredObject>();
        foreach (var candidate in stored.Values.OrderBy(o => o.Oid, StringComparer.Ordinal))
        {
            if (referencedOids.Contains(candidate.Oid))
            {
                referenced.Add(candidate);
            }
            else if (candidate.LastWriteTimeUtc >= keepChangedSinceUtc)
            {
                recent.Add(candidate);
            }
            else
            {
                candidates.Add(candidate);
            }
        }

        var staleTempFiles = store.EnumerateTempFiles().Where(f => f.LastWriteTimeUtc < keepChangedSinceUtc).ToList();
        if (dryRun)
        {
            return new CollectionReport(true, candidates, referenced, recent, staleTempFiles.Select(f => new TempFile(f.FullName, f.Length)).ToList(), Array.Empty<string>());
        }

        var removed = new List<StoredObject>();
        var problems = new List<string>();
        var (bytesDone, bytesTotal) = (0L, candidates.Sum(c => c.Size));
        for (var i = 0; i < candidates.Count; i++)
        {
            // Reported before each candidate: the first report is the start, the one after the loop the end.
            Progress?.Report(new IO.WorkProgress(i, candidates.Count, bytesDone, bytesTotal, Finished: false));
            var candidate = candidates[i];
            bytesDone += candidate.Size;
            var now = new FileInfo(candidate.Path);
            if (!now.Exists)
            {
                continue;
            }

            if (now.LastWriteTimeUtc >= keepChangedSinceUtc)
            {
                // Changed since it was listed (written again, or touched by a tool that marks it as in use).
                recent.Add(candidate with { LastWriteTimeUtc = now.LastWriteTimeUtc });
                continue;
            }

            try
            {
                store.Delete(candidate.Oid);
                removed.Add(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{candidate.Oid}: {e.Message}");
            }
        }

        Progress?.Report(new IO.WorkProgress(candidates.Count, candidates.Count, bytesTotal, bytesTotal, Finished: true));
        var tempFilesRemoved = new List<TempFile>();
        foreach (var temp in staleTempFiles)
        {
            // A temp file renamed into the store since it was listed is an object now, not a leftover.
            temp.Refresh();
            if (!temp.Exists || temp.LastWriteTimeUtc >= keepChangedSinceUtc)
            {
                continue;
            }

            var size = temp.Length;
            try
            {
                temp.Delete();
                tempFilesRemoved.Add(new TempFile(temp.FullName, size));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A temp file that cannot be removed now is tried again by the next collection.
            }
        }

        return new CollectionReport(false, removed, referenced, recent, tempFilesRemoved, problems);
    }
}
