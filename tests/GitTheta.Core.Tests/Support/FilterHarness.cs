using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Filters;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Support;

/// <summary>A temp LFS store with a cleaner and smudger on default settings, as the filter process builds them.</summary>
internal sealed class FilterHarness : IDisposable
{
    public const string CheckpointPath = "models/model.safetensors";

    private readonly TempDirectory root = new();

    public FilterHarness(IObjectFetcher? fetcher = null, ThetaSettings? settings = null)
    {
        Store = new LfsObjectStore(root.Path);
        Cleaner = new ThetaCleaner(new ThetaEngine(Store, settings ?? new ThetaSettings(), null));
        Smudger = new ThetaSmudger(new ThetaEngine(Store, settings ?? new ThetaSettings(), fetcher));
    }

    public LfsObjectStore Store { get; }

    public ThetaCleaner Cleaner { get; }

    public ThetaSmudger Smudger { get; }

    public IReadOnlyList<string> Objects => root.FilesUnder("theta/objects");

    public IReadOnlyList<string> TempFiles => root.FilesUnder("theta/tmp");

    public byte[] Clean(byte[] input, ThetaMetadata? previous = null, string? format = null, bool dryRun = false) =>
        Cleaner.Clean(new TrickleStream(input, 50_000), CheckpointPath, previous, format, dryRun);

    public byte[] Smudge(byte[] metadata, out bool isCheckpoint)
    {
        using var result = Smudger.Prepare(new TrickleStream(metadata, 3_000), CheckpointPath);
        isCheckpoint = result.IsCheckpoint;
        var output = new MemoryStream();
        result.WriteTo(output);
        return output.ToArray();
    }

    public byte[] Smudge(byte[] metadata) => Smudge(metadata, out _);

    public static ThetaMetadata Parse(byte[] metadata) => MetadataSerializer.Parse(metadata, CheckpointPath);

    public void Dispose() => root.Dispose();
}
