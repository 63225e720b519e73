using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Filters;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Merges;

/// <summary>A temp object store where checkpoints are cleaned into metadata, merged, and smudged back, as the filters and the merge driver do.</summary>
internal sealed class MergeFixture : IDisposable
{
    public const string CheckpointPath = "models/model.safetensors";

    private readonly TempDirectory root = new();

    public MergeFixture()
    {
        Store = new LfsObjectStore(root.Path);
    }

    public LfsObjectStore Store { get; }

    public ThetaSettings Settings { get; } = new();

    /// <summary>The engine's update types (dense, sparse, low-rank, IA3) and the test-only <see cref="HalvedTestUpdate"/>.</summary>
    public UpdateTypeRegistry Updates { get; } = new(UpdateTypeRegistry.Default.Names.Select(n => UpdateTypeRegistry.Default.Get(n, "test")).Append(new HalvedTestUpdate()));

    /// <summary>The engine the fixture's cleaner, merger and smudger run with: its store and settings, no fetcher, and <see cref="Updates"/>.</summary>
    public ThetaEngine Engine => new(Store, Settings, null) { Updates = Updates };

    public IReadOnlyList<string> Objects => root.FilesUnder("theta/objects");

    /// <summary>Cleans a checkpoint; with an incremental <paramref name="updateType"/> its changes are stored as updates on <paramref name="previous"/> (as if committed).</summary>
    public ThetaMetadata Clean(byte[] checkpoint, ThetaMetadata? previous = null, string updateType = DenseUpdate.TypeName)
    {
        var cleaner = new ThetaCleaner(Engine);
        var committed = previous is not null && updateType != DenseUpdate.TypeName ? new CommittedVersion(new string('c', 40), previous) : null;
        return MetadataSerializer.Parse(cleaner.Clean(new MemoryStream(checkpoint), CheckpointPath, previous, null, committed: committed, updateTypeName: updateType), CheckpointPath);
    }

    public CheckpointMerger Merger() => new(Engine);

    public MergeResult Merge(ThetaMetadata? ancestor, ThetaMetadata ours, ThetaMetadata theirs, string? strategy = null)
    {
        var merger = Merger();
        var plan = merger.Plan(ancestor, ours, theirs, CheckpointPath);
        var choices = strategy is null
            ? new Dictionary<string, SelectedStrategy>()
            : plan.Conflicts.ToDictionary(g => g.Name, _ => new SelectedStrategy(StrategyChoice.Parse(strategy, MergeStrategyRegistry.Default, "test"), "test"));
        return merger.Complete(plan, choices);
    }

    /// <summary>The checkpoint the metadata describes, rebuilt as checkout does (after a round trip through the serializer, as git stores it).</summary>
    public byte[] Smudge(ThetaMetadata metadata)
    {
        var stored = MetadataSerializer.Parse(MetadataSerializer.Serialize(metadata), CheckpointPath);
        var smudger = new ThetaSmudger(Engine);
        using var result = smudger.PrepareCheckpoint(stored, CheckpointPath);
        var output = new MemoryStream();
        result.WriteTo(output);
        return output.ToArray();
    }

    public static Dictionary<string, byte[]> Groups(byte[] checkpoint) =>
        CheckpointReading.ReadAll(checkpoint).Groups.ToDictionary(g => g.Name, g => g.Data, StringComparer.Ordinal);

    public void Dispose() => root.Dispose();
}
