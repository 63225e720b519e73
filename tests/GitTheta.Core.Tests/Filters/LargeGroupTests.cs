using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Filters;

/// <summary>
/// Groups over the large-group size (2 GiB by default) are cleaned in chunks and smudged without being held. The
/// size is lowered to 1 KiB here, so the 64×48 and 32×64 float32 groups of the sample go the chunked way (in 1 KiB
/// chunks) between small groups that do not, and every result is compared with the whole-array path (which records
/// the same metadata except the chunk fingerprints, <see cref="WithoutChunks(byte[])"/>).
/// </summary>
public sealed class LargeGroupTests : IDisposable
{
    private static readonly string[] LargeGroups = { "encoder.layer.0.attention.weight", "encoder.layer.1.attention.weight", "decoder.weight" };

    private readonly FilterHarness whole = new();
    // More than one worker: each chunk is hashed and written while the next one is read. One worker: one after the other.
    private readonly FilterHarness chunked = new(settings: new ThetaSettings { LargeGroupBytes = 1024, MaxConcurrency = 4 });
    private readonly FilterHarness serial = new(settings: new ThetaSettings { LargeGroupBytes = 1024, MaxConcurrency = 1 });

    public void Dispose()
    {
        whole.Dispose();
        chunked.Dispose();
        serial.Dispose();
    }

    [Fact]
    public void One_worker_cleans_chunks_to_the_same_metadata_objects_and_errors_as_overlapped_workers()
    {
        var checkpoint = new SampleCheckpoint();
        var before = checkpoint.Build();
        Assert.Equal(chunked.Clean(before), serial.Clean(before));
        Assert.Equal(chunked.Objects.Select(Path.GetFileName), serial.Objects.Select(Path.GetFileName));

        var changed = checkpoint.Clone();
        changed.Values[LargeGroups[0]][700] += 1e-3f;
        var after = changed.Build();
        var actual = serial.Clean(after, FilterHarness.Parse(serial.Clean(before)));
        Assert.Equal(chunked.Clean(after, FilterHarness.Parse(chunked.Clean(before))), actual);
        Assert.Equal(1, serial.Cleaner.LastNewObjects);
        Assert.Equal(after, serial.Smudge(actual));

        var error = ThetaAssert.Throws(DiagnosticIds.TruncatedCheckpoint, () => serial.Clean(before[..(before.Length - 9000)]));
        Assert.Contains($"the file ends inside tensor '{LargeGroups[1]}'", error.Message);
        Assert.Empty(serial.TempFiles);
    }

    [Fact]
    public void A_chunked_clean_gives_the_same_metadata_and_objects_as_the_whole_array_clean()
    {
        var file = new SampleCheckpoint().Build();

        var expected = whole.Clean(file);
        var actual = chunked.Clean(file);

        Assert.Equal(expected, WithoutChunks(actual));
        Assert.Equal(whole.Objects.Select(Path.GetFileName), chunked.Objects.Select(Path.GetFileName));
        // Small groups travel inline whichever path cleaned them; the large ones are stored by both.
        var metadata = FilterHarness.Parse(actual);
        Assert.Equal(LargeGroups.Length, metadata.Objects.Count());
        Assert.Equal(LargeGroups.Length, chunked.Cleaner.LastNewObjects);
        Assert.Equal(SampleCheckpoint.GroupCount - LargeGroups.Length + 1, metadata.Parameters.Values.Count(p => p.Object.IsInline) + (metadata.Container.IsInline ? 1 : 0));
        Assert.Empty(chunked.TempFiles);
    }

    [Fact]
    public void A_clean_hands_its_new_objects_to_the_disk_unless_write_behind_is_off()
    {
        var file = new SampleCheckpoint().Build();
        using var off = new FilterHarness(settings: new ThetaSettings { LargeGroupBytes = 1024, WriteBehind = false });
        chunked.Store.WrittenPages = new GitTheta.Core.IO.WrittenPages(engageAfter: 0);
        off.Store.WrittenPages = new GitTheta.Core.IO.WrittenPages(engageAfter: 0);

        Assert.Equal(chunked.Clean(file), off.Clean(file));

        var stored = chunked.Objects.Sum(o => new FileInfo(chunked.Store.PathOf(o)).Length);
        Assert.Equal(stored, chunked.Store.WrittenPages.StartedBytes);
        Assert.Equal(0, off.Store.WrittenPages.StartedBytes);
    }

    [Fact]
    public void Large_groups_smudge_byte_identical_between_small_ones()
    {
        var file = new SampleCheckpoint().Build();

        var metadata = chunked.Clean(file);

        Assert.Equal(file, chunked.Smudge(metadata));
    }

    [Theory]
    [InlineData(0f, false, 0)] // the same bytes: the fingerprint decides
    [InlineData(1e-9f, true, 0)] // every element moved below atol: the LSH decides
    [InlineData(1e-7f, false, 0)] // one element moved within rtol: between atol and the LSH threshold, so the stored value is streamed against the new one
    [InlineData(1e-3f, true, 1)] // a real change: one new object
    public void A_changed_large_group_is_judged_as_the_whole_array_path_judges_it(float delta, bool everyElement, int newObjects)
    {
        var checkpoint = new SampleCheckpoint();
        var before = checkpoint.Build();
        var previousWhole = FilterHarness.Parse(whole.Clean(before));
        var previousChunked = FilterHarness.Parse(chunked.Clean(before));
        var changed = checkpoint.Clone();
        if (everyElement)
        {
            changed.Shift(LargeGroups[1], delta);
        }
        else
        {
            var values = changed.Values[LargeGroups[1]];
            var largest = Array.IndexOf(values, values.MaxBy(Math.Abs));
            values[largest] += delta;
        }

        var after = changed.Build();

        var expected = whole.Clean(after, previousWhole);
        var actual = chunked.Clean(after, previousChunked);

        Assert.Equal(newObjects, whole.Cleaner.LastNewObjects);
        Assert.Equal(newObjects, chunked.Cleaner.LastNewObjects);
        Assert.Equal(expected, WithoutChunks(actual));
        Assert.Empty(chunked.TempFiles);
        Assert.Equal(newObjects == 0 ? before : after, chunked.Smudge(actual));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(700)]
    [InlineData(3071)]
    public void A_value_that_matches_the_stored_one_up_to_a_late_chunk_is_stored_whole(int element)
    {
        // The chunks before the change are not written as they are read, but copied from the stored object afterwards.
        var checkpoint = new SampleCheckpoint();
        var before = checkpoint.Build();
        var previousWhole = FilterHarness.Parse(whole.Clean(before));
        var previousChunked = FilterHarness.Parse(chunked.Clean(before));
        var changed = checkpoint.Clone();
        changed.Values[LargeGroups[0]][element] += 1e-3f;
        var after = changed.Build();

        var expected = whole.Clean(after, previousWhole);
        var actual = chunked.Clean(after, previousChunked);

        Assert.Equal(1, chunked.Cleaner.LastNewObjects);
        Assert.Equal(expected, WithoutChunks(actual));
        Assert.Equal(whole.Objects.Select(Path.GetFileName), chunked.Objects.Select(Path.GetFileName));
        Assert.Equal(after, chunked.Smudge(actual));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(700)]
    [InlineData(3071)]
    public void Previous_metadata_without_chunk_fingerprints_is_compared_with_the_stored_value_to_the_same_result(int element)
    {
        var checkpoint = new SampleCheckpoint();
        var before = checkpoint.Build();
        var first = chunked.Clean(before);
        Assert.Equal(first, serial.Clean(before)); // both stores hold v1
        var previous = FilterHarness.Parse(first);
        var changed = checkpoint.Clone();
        changed.Values[LargeGroups[0]][element] += 1e-3f;
        var after = changed.Build();

        var judgedByFingerprints = chunked.Clean(after, previous);
        var judgedByStoredValues = serial.Clean(after, Strip(previous));

        Assert.Equal(1, serial.Cleaner.LastNewObjects);
        // By fingerprints, only the matching prefix is read (to copy it); by stored values, every byte read is compared too.
        Assert.Equal(element / 256 * 1024, chunked.Cleaner.LastStoredBytesRead);
        Assert.True(serial.Cleaner.LastStoredBytesRead > chunked.Cleaner.LastStoredBytesRead);
        Assert.Equal(WithoutChunks(judgedByFingerprints), WithoutChunks(judgedByStoredValues));
        Assert.Equal(
            FilterHarness.Parse(judgedByFingerprints).Parameters[LargeGroups[0]].Tensor.Chunks!.Hashes,
            FilterHarness.Parse(judgedByStoredValues).Parameters[LargeGroups[0]].Tensor.Chunks!.Hashes);
        Assert.Equal(after, serial.Smudge(judgedByStoredValues));
    }

    [Fact]
    public void A_chunked_clean_records_the_fingerprint_of_every_chunk()
    {
        var checkpoint = new SampleCheckpoint();

        var cleaned = chunked.Clean(checkpoint.Build());
        var metadata = FilterHarness.Parse(cleaned);

        foreach (var name in LargeGroups)
        {
            var chunks = metadata.Parameters[name].Tensor.Chunks;
            Assert.NotNull(chunks);
            Assert.Equal(1024, chunks.ChunkBytes);
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(checkpoint.Values[name].AsSpan()).ToArray();
            var expected = bytes.Chunk(1024).Select(c => ChunkFingerprints.Of(c)).ToList();
            Assert.Equal(expected, chunks.Hashes);
        }

        Assert.All(metadata.Parameters.Where(p => !LargeGroups.Contains(p.Key)), p => Assert.Null(p.Value.Tensor.Chunks));
        Assert.Equal(cleaned, MetadataSerializer.Serialize(metadata));
    }

    [Fact]
    public void A_re_add_judged_by_chunk_fingerprints_reads_nothing_from_the_store()
    {
        var checkpoint = new SampleCheckpoint();
        var before = checkpoint.Build();
        var first = chunked.Clean(before);
        var previous = FilterHarness.Parse(first);
        // Same size, other bytes: a clean that read the stored values would see every group differ from them.
        foreach (var name in LargeGroups)
        {
            var file = chunked.Store.PathOf(previous.Parameters[name].Object.Oid);
            var bytes = File.ReadAllBytes(file);
            Array.Clear(bytes, bytes.Length - 4096, 4096);
            File.WriteAllBytes(file, bytes);
        }

        var again = chunked.Clean(before, previous);

        Assert.Equal(first, again);
        Assert.Equal(0, chunked.Cleaner.LastNewObjects);
        Assert.Equal(0, chunked.Cleaner.LastStoredBytesRead);
        // Without the fingerprints (metadata of an older git-theta) the stored values are read to compare with.
        Assert.Equal(WithoutChunks(first), chunked.Clean(before, Strip(previous)));
        Assert.True(chunked.Cleaner.LastStoredBytesRead > 0);
    }

    [Fact]
    public void A_change_after_a_stored_prefix_that_is_not_its_fingerprints_fails_and_stages_nothing()
    {
        var checkpoint = new SampleCheckpoint();
        var before = checkpoint.Build();
        var previous = FilterHarness.Parse(chunked.Clean(before));
        var oid = previous.Parameters[LargeGroups[0]].Object.Oid;
        var file = chunked.Store.PathOf(oid);
        var bytes = File.ReadAllBytes(file);
        bytes[^(3072 * 4 - 10)] ^= 0x40; // in the value's first chunk
        File.WriteAllBytes(file, bytes);
        var objectsBefore = chunked.Objects.ToList();
        var changed = checkpoint.Clone();
        changed.Values[LargeGroups[0]][3071] += 1e-3f; // in its last chunk: the prefix before it is copied from the store

        var error = ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => chunked.Clean(changed.Build(), previous));

        Assert.Contains($"stored object {oid} does not hold the value its metadata describes (chunk 0 differs)", error.Message);
        Assert.Contains("git theta verify", error.Message);
        Assert.Equal(objectsBefore, chunked.Objects.ToList());
        Assert.Empty(chunked.TempFiles);
    }

    /// <summary>The metadata with every chunk fingerprint list removed, as the whole-array path (or an older git-theta) writes it.</summary>
    private static byte[] WithoutChunks(byte[] metadata) => MetadataSerializer.Serialize(Strip(FilterHarness.Parse(metadata)));

    private static ThetaMetadata Strip(ThetaMetadata metadata) => metadata with
    {
        Parameters = metadata.Parameters.ToDictionary(p => p.Key, p => p.Value with { Tensor = p.Value.Tensor with { Chunks = null } }, StringComparer.Ordinal),
    };

    [Fact]
    public void A_missing_stored_value_makes_a_close_large_group_a_new_object()
    {
        var checkpoint = new SampleCheckpoint();
        var previous = FilterHarness.Parse(chunked.Clean(checkpoint.Build()));
        var oid = previous.Parameters[LargeGroups[2]].Object.Oid;
        chunked.Store.Delete(oid);

        var metadata = FilterHarness.Parse(chunked.Clean(checkpoint.Clone().Shift(LargeGroups[2], 1e-7f).Build(), previous));

        Assert.NotEqual(oid, metadata.Parameters[LargeGroups[2]].Object.Oid);
        Assert.True(chunked.Store.Contains(metadata.Parameters[LargeGroups[2]].Object));
    }

    [Fact]
    public void A_dry_run_writes_nothing_and_gives_the_same_metadata()
    {
        var file = new SampleCheckpoint().Build();

        var dry = chunked.Clean(file, dryRun: true);

        Assert.Empty(chunked.Objects);
        Assert.Empty(chunked.TempFiles);
        Assert.Equal(whole.Clean(file), WithoutChunks(dry));
    }

    [Fact]
    public void A_file_that_ends_inside_a_large_group_fails_and_leaves_no_object_or_temp_file()
    {
        var file = new SampleCheckpoint().Build();
        var cut = file[..(file.Length - 9000)];

        var error = ThetaAssert.Throws(DiagnosticIds.TruncatedCheckpoint, () => chunked.Clean(cut));

        Assert.Contains($"{FilterHarness.CheckpointPath}: the file ends inside tensor '{LargeGroups[1]}'", error.Message);
        Assert.Empty(chunked.Objects);
        Assert.Empty(chunked.TempFiles);
    }
}
