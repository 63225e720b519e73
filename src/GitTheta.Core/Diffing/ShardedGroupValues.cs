using GitTheta.Core.Metadata;

namespace GitTheta.Core.Diffing;

/// <summary>The values of a sharded model's groups: each is read from the shard that holds it, that shard's source opened once.</summary>
internal sealed class ShardedGroupValues : IGroupValueSource
{
    private readonly ModelSide model;
    private readonly Func<DiffSide, IGroupValueSource> open;
    private readonly Dictionary<string, IGroupValueSource> sources = new(StringComparer.Ordinal);

    /// <param name="open">Opens the values of one shard (the object store, or a working checkpoint file).</param>
    public ShardedGroupValues(ModelSide model, Func<DiffSide, IGroupValueSource> open)
    {
        this.model = model;
        this.open = open;
    }

    /// <summary>Shard after shard, each in its own cheapest order, so every shard file is read once, front to back.</summary>
    public IReadOnlyList<string>? ReadingOrder =>
        model.Shards.SelectMany(s => sources.TryGetValue(s.Path, out var source) && source.ReadingOrder is { } order
            ? order
            : s.Metadata?.Parameters.Keys ?? Enumerable.Empty<string>()).ToList();

    public void Prepare(IReadOnlyList<(string Name, ParameterEntry Entry)> groups)
    {
        foreach (var shard in groups.GroupBy(g => model.ShardOf[g.Name].Path, StringComparer.Ordinal))
        {
            Source(shard.First().Name).Prepare(shard.ToList());
        }
    }

    public byte[] Read(string name, ParameterEntry entry) => Source(name).Read(name, entry);

    public void Dispose()
    {
        foreach (var source in sources.Values)
        {
            source.Dispose();
        }
    }

    private IGroupValueSource Source(string group)
    {
        var shard = model.ShardOf[group];
        if (!sources.TryGetValue(shard.Path, out var source))
        {
            source = open(shard);
            sources[shard.Path] = source;
        }

        return source;
    }
}
