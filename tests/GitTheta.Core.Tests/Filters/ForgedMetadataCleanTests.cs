using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Filters;

/// <summary>Metadata that names a stored object with a wrong size: refused when staged as it is, never carried into a new clean.</summary>
public sealed class ForgedMetadataCleanTests : IDisposable
{
    private readonly FilterHarness harness = new(settings: StoredObjects.Settings);

    public void Dispose() => harness.Dispose();

    [Fact]
    public void Metadata_passing_through_clean_with_a_wrong_object_size_is_refused_with_GT2024()
    {
        var good = harness.Clean(new SampleCheckpoint().Build());
        var forged = Forge(good);

        var error = ThetaAssert.Throws(DiagnosticIds.ObjectSizeMismatch, () => harness.Clean(forged));

        Assert.Contains(FilterHarness.CheckpointPath, error.Message);
    }

    [Fact]
    public void A_checkpoint_cleaned_over_forged_previous_metadata_gets_the_true_sizes()
    {
        var checkpoint = new SampleCheckpoint().Build();
        var good = harness.Clean(checkpoint);
        var forged = FilterHarness.Parse(Forge(good));

        var again = harness.Clean(checkpoint, previous: forged);

        Assert.Equal(good, again);
    }

    [Fact]
    public void Damaged_metadata_is_GT2006_in_clean_and_in_smudge_and_other_json_passes_smudge()
    {
        var good = harness.Clean(new SampleCheckpoint().Build());
        var damaged = good[..(good.Length / 2)];

        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => harness.Clean(damaged));
        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => harness.Smudge(damaged));
        var json = Encoding.UTF8.GetBytes("{\"name\": \"git-theta/1 fan club\"}\n");
        Assert.Equal(json, harness.Smudge(json));
    }

    /// <summary>The first group's object size one larger than the object.</summary>
    private static byte[] Forge(byte[] metadata)
    {
        var parsed = FilterHarness.Parse(metadata);
        var (name, entry) = parsed.Parameters.First();
        var parameters = parsed.Parameters.ToDictionary(p => p.Key, p => p.Value);
        parameters[name] = entry with { Object = entry.Object with { Size = entry.Object.Size + 1 } };
        return MetadataSerializer.Serialize(parsed with { Parameters = parameters });
    }
}
