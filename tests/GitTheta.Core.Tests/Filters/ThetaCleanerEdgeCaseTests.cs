using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Filters;

/// <summary>Where the LSH cannot decide (non-finite values) and where the store lost an object.</summary>
[Collection(AllocationMeasuringCollection.Name)]
public sealed class ThetaCleanerEdgeCaseTests : IDisposable
{
    private readonly FilterHarness harness = new(settings: StoredObjects.Settings);

    public void Dispose() => harness.Dispose();

    [Fact]
    public void A_change_to_a_group_holding_NaN_is_still_detected()
    {
        var values = Enumerable.Range(0, 256).Select(i => i * 1e-3f).ToArray();
        values[7] = float.NaN;
        var first = FilterHarness.Parse(harness.Clean(Build(values)));
        Assert.True(first.Parameters["w"].Tensor.Lsh.IsDegenerate);

        Assert.Equal(first.Parameters["w"].Object, FilterHarness.Parse(harness.Clean(Build(values), first)).Parameters["w"].Object);
        Assert.Equal(0, harness.Cleaner.LastNewObjects);

        values[100] += 0.5f;
        var second = FilterHarness.Parse(harness.Clean(Build(values), first));
        Assert.NotEqual(first.Parameters["w"].Object.Oid, second.Parameters["w"].Object.Oid);
    }

    [Fact]
    public void A_change_to_a_group_holding_infinity_is_still_detected()
    {
        var values = Enumerable.Range(0, 64).Select(i => i * 1e-3f).ToArray();
        values[0] = float.PositiveInfinity;
        var first = FilterHarness.Parse(harness.Clean(Build(values)));
        values[1] = -3f;
        var second = FilterHarness.Parse(harness.Clean(Build(values), first));
        Assert.NotEqual(first.Parameters["w"].Object.Oid, second.Parameters["w"].Object.Oid);
    }

    [Fact]
    public void Re_adding_the_same_file_restores_an_object_missing_from_the_store()
    {
        var values = Enumerable.Range(0, 128).Select(i => i * 1e-2f).ToArray();
        var metadata = FilterHarness.Parse(harness.Clean(Build(values)));
        var oid = metadata.Parameters["w"].Object.Oid;
        harness.Store.Delete(oid);
        Assert.False(harness.Store.Contains(oid));

        var again = FilterHarness.Parse(harness.Clean(Build(values), metadata));

        Assert.Equal(oid, again.Parameters["w"].Object.Oid);
        Assert.True(harness.Store.Contains(oid));
        Assert.Equal(TestData.Bytes(values), CheckpointReading.ReadAll(harness.Store.ReadAll(oid, "test")).Groups.Single().Data);
    }

    [Fact]
    public void A_header_claiming_a_huge_group_costs_no_memory_before_the_data_runs_out()
    {
        // 1.9 GB promised, 1 KiB delivered: the clean must fail as truncated without reserving the promise.
        var claimed = 475_000_000L;
        var json = $"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[{claimed}],\"data_offsets\":[0,{claimed * 4}]}}}}";
        var file = SafetensorsFileBuilder.Assemble(System.Text.Encoding.UTF8.GetBytes(json), new byte[1024]);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var error = Assert.Throws<GitTheta.Core.Diagnostics.ThetaException>(() => harness.Clean(file));

        Assert.Equal(GitTheta.Core.Diagnostics.DiagnosticIds.TruncatedCheckpoint, error.Code);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64L << 20, "the clean allocated for data that never came");
        Assert.Empty(harness.Objects);
    }

    [Fact]
    public void Unchanged_bytes_are_recognised_by_their_fingerprint_without_the_lsh()
    {
        var values = Enumerable.Range(0, 4096).Select(i => MathF.Sin(i) * 1e-2f).ToArray();
        var first = FilterHarness.Parse(harness.Clean(Build(values)));
        var fingerprint = first.Parameters["w"].Tensor.ContentHash;
        Assert.Equal(GitTheta.Core.Hashing.ContentHash.Of(TestData.Bytes(values)), fingerprint);

        // A cleaner whose LSH cannot compare with the stored signature (another signature size) still sees
        // the bytes are the same, through the fingerprint.
        var otherLsh = new GitTheta.Core.Filters.ThetaCleaner(new GitTheta.Core.Updates.ThetaEngine(
            harness.Store,
            new GitTheta.Core.Configuration.ThetaSettings { LshSignatureSize = 17 },
            null));
        var again = FilterHarness.Parse(otherLsh.Clean(new MemoryStream(Build(values)), FilterHarness.CheckpointPath, first, null));
        Assert.Equal(first.Parameters["w"].Object, again.Parameters["w"].Object);
        Assert.Equal(16, again.Parameters["w"].Tensor.Lsh.Values.Count);

        values[5] = MathF.BitIncrement(values[5]);
        var changed = FilterHarness.Parse(otherLsh.Clean(new MemoryStream(Build(values)), FilterHarness.CheckpointPath, first, null));
        Assert.Equal(17, changed.Parameters["w"].Tensor.Lsh.Values.Count);
        Assert.NotEqual(fingerprint, changed.Parameters["w"].Tensor.ContentHash);
    }

    [Fact]
    public void The_fingerprint_round_trips_through_metadata_and_a_bad_one_is_refused()
    {
        var metadata = harness.Clean(Build(new[] { 1f, 2f, 3f }));
        var text = System.Text.Encoding.UTF8.GetString(metadata);
        Assert.Matches("\"xxh3\": \"[0-9a-f]{16}\"", text);
        Assert.Equal(metadata, GitTheta.Core.Metadata.MetadataSerializer.Serialize(FilterHarness.Parse(metadata)));

        var broken = System.Text.RegularExpressions.Regex.Replace(text, "\"xxh3\": \"[0-9a-f]{16}\"", "\"xxh3\": \"nothex\"");
        var error = Assert.Throws<GitTheta.Core.Diagnostics.ThetaException>(() => FilterHarness.Parse(System.Text.Encoding.UTF8.GetBytes(broken)));
        Assert.Equal(GitTheta.Core.Diagnostics.DiagnosticIds.MalformedMetadata, error.Code);
    }

    private static byte[] Build(float[] values) =>
        new SafetensorsFileBuilder().Add("w", "F32", new long[] { values.Length }, TestData.Bytes(values)).Build();
}
