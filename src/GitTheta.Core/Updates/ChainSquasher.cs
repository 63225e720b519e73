using GitTheta.Core.Configuration;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>
/// Turns every incremental entry of a checkpoint's metadata into a dense entry holding the same value (chain depth
/// 0), as <c>git theta squash</c> does: the value is rebuilt from its chain and stored as itself. Values, dtypes,
/// shapes and LSH signatures stay exactly as they were; dense entries are kept as they are.
/// </summary>
internal sealed class ChainSquasher
{
    private readonly LfsObjectStore store;
    private readonly ThetaSettings settings;
    private readonly UpdateTypeRegistry updates;
    private readonly IObjectFetcher? fetcher;

    public ChainSquasher(ThetaEngine engine)
    {
        store = engine.Store;
        settings = engine.Settings;
        updates = engine.Updates;
        fetcher = engine.Fetcher;
    }

    public SquashResult Squash(ThetaMetadata metadata, string path)
    {
        using var transaction = new ObjectTransaction(store, inlineBytes: settings.InlineObjectBytes);
        var context = new StagingContext(store, transaction, settings, path) { Updates = updates, Fetcher = fetcher };
        var dense = updates.Get(DenseUpdate.TypeName, path);
        var parameters = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        var rewritten = 0;
        var deepest = 0;
        foreach (var (name, entry) in metadata.Parameters)
        {
            var type = updates.Get(entry.Update.Type, $"{path}: parameter '{name}'");
            if (!type.IsIncremental && entry.Update.Depth == 0)
            {
                parameters[name] = entry;
                continue;
            }

            var info = entry.Tensor.ToInfo(name);
            var value = UpdateChain.Materialize(context, info, entry);
            var stored = dense.Store(context, info, value);
            parameters[name] = entry with { Object = stored.Object, Update = stored.Update };
            rewritten++;
            deepest = Math.Max(deepest, entry.Update.Depth);
        }

        transaction.Commit();
        return new SquashResult(metadata with { Parameters = parameters }, rewritten, deepest);
    }
}
