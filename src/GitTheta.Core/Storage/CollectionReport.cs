namespace GitTheta.Core.Storage;

/// <summary>
/// The outcome of <see cref="ObjectCollector.Collect"/>. In a dry run <see cref="Removed"/> and
/// <see cref="TempFilesRemoved"/> are what a real run would remove, and nothing was changed.
/// </summary>
/// <param name="Referenced">Objects kept because history, the index, a stash or a git-lfs pointer names them.</param>
/// <param name="Recent">Unreferenced objects kept because they changed within the grace period.</param>
/// <param name="Problems">Objects that could not be deleted, each with the reason.</param>
internal sealed record CollectionReport(
    bool DryRun,
    IReadOnlyList<StoredObject> Removed,
    IReadOnlyList<StoredObject> Referenced,
    IReadOnlyList<StoredObject> Recent,
    IReadOnlyList<TempFile> TempFilesRemoved,
    IReadOnlyList<string> Problems)
{
    public long RemovedBytes => Removed.Sum(o => o.Size);

    public int KeptCount => Referenced.Count + Recent.Count;

    public long KeptBytes => Referenced.Sum(o => o.Size) + Recent.Sum(o => o.Size);

    public long TempBytesRemoved => TempFilesRemoved.Sum(f => f.Size);
}
