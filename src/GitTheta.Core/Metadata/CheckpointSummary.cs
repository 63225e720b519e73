using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Metadata;

/// <summary>
/// What one version of a checkpoint holds, from its metadata alone (no object is read): its format, its groups
/// and their sizes, how many groups of each dtype and update type, and the objects it needs.
/// </summary>
internal sealed class CheckpointSummary
{
    private CheckpointSummary(ThetaMetadata metadata, IReadOnlyList<GroupSummary> groups)
    {
        Metadata = metadata;
        Groups = groups;
        ParameterCount = groups.Sum(g => g.ElementCount);
        ValueBytes = groups.Sum(g => g.ValueBytes);
        GroupsByDType = Tally(groups.Select(g => DTypes.Name(g.Entry.Tensor.DType)));
        GroupsByUpdateType = Tally(groups.Select(g => g.Entry.Update.Type));
        DeepestChain = groups.Count == 0 ? 0 : groups.Max(g => g.Entry.Update.Depth);
        Objects = metadata.Objects.DistinctBy(o => o.Oid).ToList();
    }

    public ThetaMetadata Metadata { get; }

    /// <summary>The checkpoint format (safetensors, pytorch, onnx, gguf, torchsharp).</summary>
    public string Format => Metadata.CheckpointType;

    /// <summary>The object with the non-tensor bytes the format needs to rebuild the file.</summary>
    public ObjectRef Container => Metadata.Container;

    /// <summary>Every group, sorted by name (ordinal), as the metadata lists them.</summary>
    public IReadOnlyList<GroupSummary> Groups { get; }

    public long ParameterCount { get; }

    /// <summary>The bytes of every value as the checkpoint holds them.</summary>
    public long ValueBytes { get; }

    /// <summary>Group counts by dtype name, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> GroupsByDType { get; }

    /// <summary>Group counts by update type, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> GroupsByUpdateType { get; }

    /// <summary>The longest update chain of any group; 0 when every group is stored dense.</summary>
    public int DeepestChain { get; }

    /// <summary>Every object this version needs (container, group objects, chain objects), each once.</summary>
    public IReadOnlyList<ObjectRef> Objects { get; }

    /// <summary>The sum of the sizes of <see cref="Objects"/>: what the local store holds for this version.</summary>
    public long StoredBytes => Objects.Sum(o => o.Size);

    public static CheckpointSummary Of(ThetaMetadata metadata) =>
        new(metadata, metadata.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new GroupSummary(p.Key, p.Value)).ToList());

    /// <summary>The group with this exact name, or null.</summary>
    public GroupSummary? Find(string name) =>
        Metadata.Parameters.TryGetValue(name, out var entry) ? new GroupSummary(name, entry) : null;

    private static List<KeyValuePair<string, int>> Tally(IEnumerable<string> keys) =>
        keys.GroupBy(k => k, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, int>(g.Key, g.Count()))
            .ToList();
}
