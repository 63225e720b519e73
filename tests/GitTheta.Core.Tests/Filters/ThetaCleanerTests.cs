using System.Text;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Filters;

public sealed class ThetaCleanerTests : IDisposable
{
    private readonly FilterHarness harness = new(settings: StoredObjects.Settings);

    public void Dispose() => harness.Dispose();

    [Fact]
    public void Clean_stores_one_object_per_group_plus_the_container_and_emits_metadata()
    {
        var checkpoint = new SampleCheckpoint();
        var metadata = FilterHarness.Parse(harness.Clean(checkpoint.Build()));

        Assert.Equal(SafetensorsFormat.FormatName, metadata.CheckpointType);
        Assert.Equal(SampleCheckpoint.GroupCount, metadata.Parameters.Count);
        Assert.Equal(SampleCheckpoint.GroupCount + 1, harness.Cleaner.LastNewObjects);
        Assert.Equal(SampleCheckpoint.GroupCount + 1, harness.Objects.Count);
        Assert.Empty(harness.TempFiles);
        Assert.All(metadata.Objects, o => Assert.True(harness.Store.Contains(o)));

        var weight = metadata.Parameters["encoder.layer.0.attention.weight"];
        Assert.Equal(DType.F32, weight.Tensor.DType);
        Assert.Equal(new long[] { 64, 48 }, weight.Tensor.Shape);
        Assert.Equal(16, weight.Tensor.Lsh.Values.Count);
        Assert.Equal(UpdateDescription.Dense, weight.Update);
        Assert.Equal(DType.BF16, metadata.Parameters["embedding"].Tensor.DType);
        Assert.Empty(metadata.Parameters["step"].Tensor.Shape);
    }

    [Fact]
    public void Each_group_object_is_a_safetensors_file_holding_the_value_as_parameter()
    {
        var checkpoint = new SampleCheckpoint();
        var metadata = FilterHarness.Parse(harness.Clean(checkpoint.Build()));
        var reference = metadata.Parameters["decoder.bias"].Object;

        var stored = CheckpointReading.ReadAll(harness.Store.ReadAll(reference.Oid, "test"));

        Assert.Equal(reference.Size, harness.Store.ReadAll(reference.Oid, "test").Length);
        var (name, data) = Assert.Single(stored.Groups);
        Assert.Equal("parameter", name);
        Assert.Equal(TestData.Bytes(checkpoint.Values["decoder.bias"]), data);
    }

    [Fact]
    public void The_same_checkpoint_always_cleans_to_the_same_bytes()
    {
        var file = new SampleCheckpoint().Build();
        var first = harness.Clean(file);
        var second = harness.Clean(file);
        Assert.Equal(first, second);
        Assert.Equal(0, harness.Cleaner.LastNewObjects);
        using var other = new FilterHarness(settings: StoredObjects.Settings);
        Assert.Equal(first, other.Clean(file));
    }

    [Fact]
    public void Cleaning_again_with_the_previous_metadata_adds_no_objects()
    {
        var file = new SampleCheckpoint().Build();
        var first = harness.Clean(file);
        var objects = harness.Objects;

        var second = harness.Clean(file, FilterHarness.Parse(first));

        Assert.Equal(0, harness.Cleaner.LastNewObjects);
        Assert.Equal(first, second);
        Assert.Equal(objects, harness.Objects);
    }

    [Fact]
    public void Changing_two_groups_by_a_thousandth_adds_exactly_two_objects()
    {
        var checkpoint = new SampleCheckpoint();
        var first = FilterHarness.Parse(harness.Clean(checkpoint.Build()));
        var changed = checkpoint.Clone().Shift("encoder.layer.1.attention.weight", 1e-3f).Shift("decoder.bias", -1e-3f);

        var second = FilterHarness.Parse(harness.Clean(changed.Build(), first));

        Assert.Equal(2, harness.Cleaner.LastNewObjects);
        Assert.Equal(first.Container, second.Container);
        var diff = MetadataDiff.Compare(first, second);
        Assert.Equal(new[] { "decoder.bias", "encoder.layer.1.attention.weight" }, diff.Changes.Select(c => c.Name));
        Assert.All(diff.Changes, c => Assert.Equal(ChangeKind.Modified, c.Kind));
        Assert.Equal(SampleCheckpoint.GroupCount + 3, harness.Objects.Count);
    }

    [Fact]
    public void Numerical_noise_of_one_ulp_keeps_the_previous_entries()
    {
        var checkpoint = new SampleCheckpoint();
        var first = harness.Clean(checkpoint.Build());
        var noisy = checkpoint.Clone();
        var values = noisy.Values["encoder.layer.0.attention.weight"];
        foreach (var i in new[] { 0, 100, 2000, 3071 })
        {
            values[i] = MathF.BitIncrement(values[i]);
        }

        var second = harness.Clean(noisy.Build(), FilterHarness.Parse(first));

        Assert.Equal(0, harness.Cleaner.LastNewObjects);
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_group_whose_shape_changed_is_stored_again_even_with_the_same_bytes()
    {
        var data = TestData.RandomF32Bytes(5, 12);
        var first = harness.Clean(new SafetensorsFileBuilder().Add("w", "F32", new long[] { 3, 4 }, data).Build());
        var second = FilterHarness.Parse(harness.Clean(new SafetensorsFileBuilder().Add("w", "F32", new long[] { 4, 3 }, data).Build(), FilterHarness.Parse(first)));
        Assert.Equal(new long[] { 4, 3 }, second.Parameters["w"].Tensor.Shape);
        Assert.NotEqual(FilterHarness.Parse(first).Parameters["w"].Object, second.Parameters["w"].Object);
    }

    [Fact]
    public void A_truncated_checkpoint_fails_with_GT2003_and_changes_nothing_in_the_store()
    {
        var checkpoint = new SampleCheckpoint();
        var first = FilterHarness.Parse(harness.Clean(checkpoint.Build()));
        var objects = harness.Objects;
        var changed = checkpoint.Clone();
        foreach (var name in SampleCheckpoint.FloatGroups)
        {
            changed.Shift(name, 0.5f);
        }

        var file = changed.Build();
        var exception = ThetaAssert.Throws(DiagnosticIds.TruncatedCheckpoint, () => harness.Clean(file[..^3], first));

        Assert.Contains(FilterHarness.CheckpointPath, exception.Message);
        Assert.Contains("'step'", exception.Message);
        Assert.Equal(objects, harness.Objects);
        Assert.Empty(harness.TempFiles);
    }

    [Fact]
    public void Trailing_bytes_fail_with_GT2002_and_store_nothing()
    {
        var file = new SampleCheckpoint().Build().Concat(new byte[] { 0 }).ToArray();
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => harness.Clean(file));
        Assert.Empty(harness.Objects);
        Assert.Empty(harness.TempFiles);
    }

    [Fact]
    public void A_group_that_claims_a_terabyte_the_file_does_not_hold_fails_as_truncated_without_allocating_it()
    {
        // Over 2 GiB, so it is read in chunks (LargeGroupCleaner), whose buffers grow only with bytes that arrive.
        var file = SafetensorsFileBuilder.FromJson("{\"huge\":{\"dtype\":\"U8\",\"shape\":[1099511627776],\"data_offsets\":[0,1099511627776]}}", 16);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var exception = ThetaAssert.Throws(DiagnosticIds.TruncatedCheckpoint, () => harness.Clean(file));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (8 << 20), "the clean allocated more than 8 MiB");
        Assert.Contains("'huge'", exception.Message);
        Assert.Empty(harness.Objects);
        Assert.Empty(harness.TempFiles);
    }

    [Fact]
    public void Metadata_passes_through_clean_unchanged()
    {
        var metadata = harness.Clean(new SampleCheckpoint().Build());
        var objects = harness.Objects;
        Assert.Equal(metadata, harness.Clean(metadata));
        Assert.Equal(0, harness.Cleaner.LastNewObjects);
        Assert.Equal(objects, harness.Objects);
    }

    [Fact]
    public void Metadata_from_an_older_clean_passes_through_even_without_its_objects()
    {
        var metadata = MetadataSerializer.Serialize(SampleMetadata.Create("a", "b"));
        Assert.Equal(metadata, harness.Clean(metadata));
        Assert.Empty(harness.Objects);
    }

    [Fact]
    public void A_safetensors_file_whose_length_byte_looks_like_json_is_still_cleaned()
    {
        var header = "{\"__metadata__\":{\"format\":\"git-theta/1\"},\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}".PadRight(123);
        var file = SafetensorsFileBuilder.Assemble(Encoding.UTF8.GetBytes(header), new byte[] { 1, 2, 3, 4 });
        Assert.Equal((byte)'{', file[0]);

        var metadata = harness.Clean(file);

        Assert.Equal(new[] { "w" }, FilterHarness.Parse(metadata).Parameters.Keys);
        Assert.Equal(file, harness.Smudge(metadata));
    }

    [Fact]
    public void Dry_run_computes_the_same_metadata_and_stores_nothing()
    {
        var file = new SampleCheckpoint().Build();
        var dry = harness.Clean(file, dryRun: true);
        Assert.Empty(harness.Objects);
        Assert.Empty(harness.TempFiles);
        Assert.Equal(harness.Clean(file), dry);
    }

    [Fact]
    public void An_empty_or_unrecognised_file_is_an_unknown_format()
    {
        var empty = ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => harness.Clean(Array.Empty<byte>()));
        Assert.Contains("empty", empty.Message);
        var text = ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => harness.Cleaner.Clean(new MemoryStream(Encoding.UTF8.GetBytes("just some text\n")), "data/notes.bin", null, null));
        Assert.Contains("not a checkpoint format", text.Message);
        Assert.Empty(harness.Objects);
    }

    [Fact]
    public void Unrecognised_bytes_under_a_safetensors_name_are_read_as_safetensors_and_refused()
    {
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => harness.Clean(Encoding.UTF8.GetBytes("just some text\n")));
        Assert.Empty(harness.Objects);
    }

    [Fact]
    public void A_named_format_is_used_instead_of_sniffing_and_an_unknown_name_is_refused()
    {
        var file = new SampleCheckpoint().Build();
        Assert.Equal(harness.Clean(file), harness.Clean(file, format: "safetensors"));
        var exception = ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => harness.Clean(file, format: "tflite"));
        Assert.Contains("tflite", exception.Message);
    }

    [Fact]
    public void Identical_groups_share_one_object()
    {
        var data = TestData.RandomF32Bytes(9, 100);
        var metadata = FilterHarness.Parse(harness.Clean(new SafetensorsFileBuilder()
            .Add("a", "F32", new long[] { 100 }, data)
            .Add("b", "F32", new long[] { 100 }, data)
            .Build()));
        Assert.Equal(metadata.Parameters["a"].Object, metadata.Parameters["b"].Object);
        Assert.Equal(2, harness.Cleaner.LastNewObjects);
    }
}
