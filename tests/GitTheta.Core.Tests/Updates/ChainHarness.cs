using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Filters;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

/// <summary>
/// A history of one checkpoint without git: each "commit" cleans a file against the previous commit's metadata,
/// as the filter does against HEAD, and records a made-up commit id.
/// </summary>
internal sealed class ChainHarness : IDisposable
{
    public const string Path = "model.safetensors";

    private readonly TempDirectory root = new();

    public ChainHarness(ThetaSettings? settings = null)
    {
        Store = new LfsObjectStore(root.Path);
        Settings = settings ?? new ThetaSettings();
    }

    public LfsObjectStore Store { get; }

    public ThetaSettings Settings { get; set; }

    public List<string> Log { get; } = new();

    public List<(string Commit, ThetaMetadata Metadata)> Commits { get; } = new();

    public ThetaMetadata Head => Commits[^1].Metadata;

    public string TempPath(string name) => System.IO.Path.Combine(root.Path, name);

    /// <summary>Cleans <paramref name="file"/> with <paramref name="updateType"/> on top of the last commit and commits it.</summary>
    public ThetaMetadata Commit(byte[] file, string updateType)
    {
        var metadata = Clean(file, updateType);
        Commits.Add(($"{Commits.Count + 1:x40}", metadata));
        return metadata;
    }

    public ThetaMetadata Clean(byte[] file, string updateType, ThetaMetadata? previous = null)
    {
        var cleaner = new ThetaCleaner(new ThetaEngine(Store, Settings, null), Log.Add);
        var committed = Commits.Count == 0 ? null : new CommittedVersion(Commits[^1].Commit, Commits[^1].Metadata);
        var bytes = cleaner.Clean(new MemoryStream(file), Path, previous ?? committed?.Metadata, null, committed: committed, updateTypeName: updateType);
        return MetadataSerializer.Parse(bytes, Path);
    }

    public byte[] Smudge(ThetaMetadata metadata, ThetaSmudger? smudger = null)
    {
        smudger ??= new ThetaSmudger(new ThetaEngine(Store, Settings, null));
        using var result = smudger.Prepare(new MemoryStream(MetadataSerializer.Serialize(metadata)), Path);
        var output = new MemoryStream();
        result.WriteTo(output);
        return output.ToArray();
    }

    public void Dispose() => root.Dispose();
}
