using GitTheta.Core.Metadata;

namespace GitTheta.Core.Diffing;

/// <summary>
/// One version of a sharded checkpoint that a diff compares as one model: the side of every shard its index names,
/// and their groups together, each with the shard that holds it. A group that moved to another shard unchanged is
/// the same group of the model, so it is no change.
/// </summary>
/// <param name="IndexPath">The shard index's repository-relative path.</param>
/// <param name="Shards">The shards' sides; none when the index does not exist in this version.</param>
/// <param name="WeightMap">The index's group-to-shard map, which decides when two shards hold the same group.</param>
internal sealed record ModelSide(string IndexPath, IReadOnlyList<DiffSide> Shards, IReadOnlyDictionary<string, string> WeightMap)
{
    private Merged? merged;

    /// <summary>Where the index and its shards disagree, one sentence each; a diff warns about them.</summary>
    public IReadOnlyList<string> Disagreements { get; init; } = Array.Empty<string>();

    /// <summary>Every group of every shard as one checkpoint's metadata; null when the model does not exist in this version.</summary>
    public ThetaMetadata? Metadata => (merged ??= Merge()).Metadata;

    /// <summary>The shard each group of <see cref="Metadata"/> comes from.</summary>
    public IReadOnlyDictionary<string, DiffSide> ShardOf => (merged ??= Merge()).ShardOf;

    private Merged Merge()
    {
        var parameters = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        var shardOf = new Dictionary<string, DiffSide>(StringComparer.Ordinal);
        foreach (var shard in Shards.Where(s => s.Metadata is not null))
        {
            foreach (var (name, entry) in shard.Metadata!.Parameters)
            {
                // Two shards with the same group: the one the index names is the model's (the one transformers loads).
                if (!shardOf.ContainsKey(name) || WeightMap.GetValueOrDefault(name) == shard.Path)
                {
                    parameters[name] = entry;
                    shardOf[name] = shard;
                }
            }
        }

        var first = Shards.FirstOrDefault(s => s.Metadata is not null)?.Metadata;
        return new Merged(first is null ? null : first with { Parameters = parameters }, shardOf);
    }

    private sealed record Merged(ThetaMetadata? Metadata, IReadOnlyDictionary<string, DiffSide> ShardOf);
}
