using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Diffing;

/// <summary>
/// Values rebuilt from the object store the way a checkout rebuilds them (each entry's update type materializes it,
/// walking its update chain), so sparse, low-rank and IA3 entries give the values the checkpoint really holds.
/// </summary>
internal sealed class StoredGroupValues : IGroupValueSource
{
    private readonly LfsObjectStore store;
    private readonly IObjectFetcher? fetcher;
    private readonly string path;
    private readonly string? revision;
    private readonly UpdateContext context;

    /// <param name="path">The checkpoint's repository-relative path, for messages.</param>
    /// <param name="revision">The revision the values belong to, when known, for the fetch command a message suggests.</param>
    /// <param name="engine">The store the values come from, the settings, the update types, and the fetcher of missing objects (null when there is no remote to ask).</param>
    public StoredGroupValues(ThetaEngine engine, string path, string? revision)
    {
        store = engine.Store;
        fetcher = engine.Fetcher;
        this.path = path;
        this.revision = revision;

        // Every object is present once Prepare succeeded, so the context needs no fetcher; and no cache, because each
        // value is read once and a cache would hold more than the two groups a diff keeps in memory.
        context = new UpdateContext(store, engine.Settings, path) { Updates = engine.Updates };
    }

    public IReadOnlyList<string>? ReadingOrder => null;

    public void Prepare(IReadOnlyList<(string Name, ParameterEntry Entry)> groups)
    {
        var missing = MissingObjects.AfterFetching(store, groups.SelectMany(g => g.Entry.Objects), fetcher);
        if (missing.Count == 0)
        {
            return;
        }

        var first = missing[0];
        var group = groups.First(g => g.Entry.Objects.Any(o => o.Oid == first.Oid)).Name;
        var more = MissingObjects.More(missing.Count);
        var why = fetcher is null ? "no remote is configured to fetch it from" : "it could not be fetched from the remote";
        throw new ThetaException(
            DiagnosticIds.MissingObject,
            $"{path}: measuring parameter '{group}' needs object {first.Oid}{more}, which is not in the local store and {why}; run 'git theta fetch {revision ?? "<revision>"}' with a reachable remote, or diff without --stat.");
    }

    public byte[] Read(string name, ParameterEntry entry)
    {
        var info = entry.Tensor.ToInfo(name);
        if (info.ByteLength > Array.MaxLength)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: parameter '{name}' is {info.ByteLength} bytes, too large to measure; diff without --stat.");
        }

        return UpdateChain.Materialize(context, info, entry);
    }

    public void Dispose()
    {
        // Holds nothing open: each object is opened, read and closed within Read.
    }
}
