using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Filters;

public sealed class ThetaSmudgerTests : IDisposable
{
    private readonly FilterHarness harness = new(settings: StoredObjects.Settings);

    public void Dispose() => harness.Dispose();

    private sealed class CopyingFetcher : IObjectFetcher
    {
        private readonly LfsObjectStore remote;
        private readonly LfsObjectStore local;

        public CopyingFetcher(LfsObjectStore remote, LfsObjectStore local)
        {
            this.remote = remote;
            this.local = local;
        }

        public List<string> Requested { get; } = new();

        public int Calls { get; private set; }

        public void Fetch(IReadOnlyCollection<ObjectRef> objects)
        {
            Calls++;
            foreach (var reference in objects)
            {
                Requested.Add(reference.Oid);
                if (remote.Contains(reference))
                {
                    local.Put(remote.ReadAll(reference.Oid, "fetch"));
                }
            }
        }
    }

    [Fact]
    public void Clean_then_smudge_gives_the_checkpoint_back_byte_for_byte()
    {
        var file = new SampleCheckpoint().Build();
        var output = harness.Smudge(harness.Clean(file), out var isCheckpoint);
        Assert.True(isCheckpoint);
        Assert.Equal(file, output);
    }

    [Fact]
    public void After_a_change_smudge_gives_the_new_checkpoint_and_the_old_metadata_still_gives_the_old()
    {
        var checkpoint = new SampleCheckpoint();
        var oldFile = checkpoint.Build();
        var oldMetadata = harness.Clean(oldFile);
        var newFile = checkpoint.Clone().Shift("decoder.weight", 1e-3f).Build();
        var newMetadata = harness.Clean(newFile, FilterHarness.Parse(oldMetadata));

        Assert.Equal(newFile, harness.Smudge(newMetadata));
        Assert.Equal(oldFile, harness.Smudge(oldMetadata));
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Checkpoints_of_every_dtype_round_trip(DType dtype)
    {
        var size = DTypes.SizeOf(dtype);
        var file = new SafetensorsFileBuilder { HeaderAlignment = 1 }
            .Add("value", DTypes.Name(dtype), new long[] { 7, 3 }, TestData.RandomBytes((int)dtype, 21 * size))
            .Add("empty", DTypes.Name(dtype), new long[] { 0 }, Array.Empty<byte>())
            .Add("scalar", DTypes.Name(dtype), Array.Empty<long>(), TestData.RandomBytes(50 + (int)dtype, size))
            .Build();
        Assert.Equal(file, harness.Smudge(harness.Clean(file)));
    }

    public static TheoryData<DType> AllDTypes()
    {
        var data = new TheoryData<DType>();
        foreach (var dtype in Enum.GetValues<DType>())
        {
            data.Add(dtype);
        }

        return data;
    }

    [Fact]
    public void A_checkpoint_without_tensors_round_trips()
    {
        var file = new SafetensorsFileBuilder().AddMetadata("only", "metadata").Build();
        Assert.Equal(file, harness.Smudge(harness.Clean(file)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public void Random_bytes_pass_through_unchanged(int length)
    {
        var input = TestData.RandomBytes(length, length);
        Assert.Equal(input, harness.Smudge(input, out var isCheckpoint));
        Assert.False(isCheckpoint);
    }

    [Fact]
    public void A_safetensors_file_passes_through_unchanged()
    {
        var file = new SampleCheckpoint().Build();
        Assert.Equal(file, harness.Smudge(file, out var isCheckpoint));
        Assert.False(isCheckpoint);
    }

    [Fact]
    public void Json_that_is_not_metadata_passes_through_unchanged()
    {
        var json = Encoding.UTF8.GetBytes("{\"name\": \"git-theta/1 fan club\", \"members\": [" + string.Join(",", Enumerable.Range(0, 3000)) + "]}\n");
        Assert.Equal(json, harness.Smudge(json, out var isCheckpoint));
        Assert.False(isCheckpoint);
    }

    [Fact]
    public void A_missing_group_object_fails_in_prepare_with_GT2007_naming_group_and_oid()
    {
        var metadataBytes = harness.Clean(new SampleCheckpoint().Build());
        var metadata = FilterHarness.Parse(metadataBytes);
        var reference = metadata.Parameters["decoder.weight"].Object;
        harness.Store.Delete(reference.Oid);

        var exception = ThetaAssert.Throws(DiagnosticIds.MissingObject, () => harness.Smudger.Prepare(new MemoryStream(metadataBytes), FilterHarness.CheckpointPath));

        Assert.Contains("'decoder.weight'", exception.Message);
        Assert.Contains(reference.Oid, exception.Message);
        Assert.Contains(FilterHarness.CheckpointPath, exception.Message);
    }

    [Fact]
    public void A_missing_container_is_named_as_such()
    {
        var metadataBytes = harness.Clean(new SampleCheckpoint().Build());
        var container = FilterHarness.Parse(metadataBytes).Container;
        harness.Store.Delete(container.Oid);
        var exception = ThetaAssert.Throws(DiagnosticIds.MissingObject, () => harness.Smudger.Prepare(new MemoryStream(metadataBytes), FilterHarness.CheckpointPath));
        Assert.Contains("container", exception.Message);
        Assert.Contains(container.Oid, exception.Message);
    }

    [Fact]
    public void Missing_objects_are_fetched_before_writing()
    {
        var file = new SampleCheckpoint().Build();
        using var remote = new FilterHarness(settings: StoredObjects.Settings);
        var metadata = remote.Clean(file);
        var fetcher = new CopyingFetcher(remote.Store, harness.Store);
        var smudger = new Core.Filters.ThetaSmudger(new Core.Updates.ThetaEngine(harness.Store, new Core.Configuration.ThetaSettings(), fetcher));

        using var result = smudger.Prepare(new MemoryStream(metadata), FilterHarness.CheckpointPath);
        var output = new MemoryStream();
        result.WriteTo(output);

        Assert.Equal(file, output.ToArray());
        Assert.Equal(SampleCheckpoint.GroupCount + 1, fetcher.Requested.Count);
    }

    [Fact]
    public void Prefetch_fetches_what_many_checkpoints_lack_in_one_call_and_each_smudge_then_fetches_nothing()
    {
        using var remote = new FilterHarness(settings: StoredObjects.Settings);
        var checkpoint = new SampleCheckpoint();
        var files = new[] { checkpoint.Build(), checkpoint.Clone().Shift("decoder.weight", 1e-2f).Build(), checkpoint.Build() };
        var metadata = files.Select(f => remote.Clean(f)).ToArray();
        var fetcher = new CopyingFetcher(remote.Store, harness.Store);
        var smudger = new Core.Filters.ThetaSmudger(new Core.Updates.ThetaEngine(harness.Store, StoredObjects.Settings, fetcher));

        // Not metadata, and metadata too damaged to parse, are left to their own smudge.
        var requests = metadata.Select((m, i) => ($"models/m{i}.safetensors", m))
            .Append(("models/raw.safetensors", files[0]))
            .Append(("models/broken.safetensors", Encoding.UTF8.GetBytes("{\n  \"checkpoint\": {\n  \"format\": \"git-theta/1\", ")));
        smudger.Prefetch(requests);

        // The first and third checkpoint are the same: their objects are asked for once.
        var distinct = metadata.SelectMany(m => FilterHarness.Parse(m).Objects).Select(o => o.Oid).Distinct().ToList();
        Assert.Equal(1, fetcher.Calls);
        Assert.Equal(distinct.Order(), fetcher.Requested.Order());
        for (var i = 0; i < files.Length; i++)
        {
            using var result = smudger.Prepare(new MemoryStream(metadata[i]), $"models/m{i}.safetensors");
            var output = new MemoryStream();
            result.WriteTo(output);
            Assert.Equal(files[i], output.ToArray());
        }

        Assert.Equal(1, fetcher.Calls);
        smudger.Prefetch(metadata.Select((m, i) => ($"models/m{i}.safetensors", m)));
        Assert.Equal(1, fetcher.Calls);
    }

    [Fact]
    public void Objects_a_fetcher_cannot_get_are_still_reported_missing()
    {
        var metadata = MetadataSerializer.Serialize(SampleMetadata.Create("w"));
        using var empty = new FilterHarness(settings: StoredObjects.Settings);
        var fetcher = new CopyingFetcher(empty.Store, harness.Store);
        var smudger = new Core.Filters.ThetaSmudger(new Core.Updates.ThetaEngine(harness.Store, new Core.Configuration.ThetaSettings(), fetcher));
        var exception = ThetaAssert.Throws(DiagnosticIds.MissingObject, () => smudger.Prepare(new MemoryStream(metadata), FilterHarness.CheckpointPath));
        Assert.Equal(2, fetcher.Requested.Count);
        Assert.Contains("1 more object", exception.Message);
    }

    [Fact]
    public void A_corrupt_container_fails_in_prepare_with_GT2008()
    {
        var metadataBytes = harness.Clean(new SampleCheckpoint().Build());
        var path = harness.Store.PathOf(FilterHarness.Parse(metadataBytes).Container.Oid);

        // Read once intact first: no earlier read may make a later one trust the object.
        harness.Smudge(metadataBytes, out _);
        SilentCorruption.FlipBit(path, -1, 0x20);
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => harness.Smudger.Prepare(new MemoryStream(metadataBytes), FilterHarness.CheckpointPath));
    }

    [Fact]
    public void A_corrupt_group_object_fails_while_writing_with_GT2008()
    {
        var metadataBytes = harness.Clean(new SampleCheckpoint().Build());
        var path = harness.Store.PathOf(FilterHarness.Parse(metadataBytes).Parameters["decoder.bias"].Object.Oid);
        harness.Smudge(metadataBytes, out _);
        SilentCorruption.FlipBit(path, -1);
        using var result = harness.Smudger.Prepare(new MemoryStream(metadataBytes), FilterHarness.CheckpointPath);
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => result.WriteTo(new MemoryStream()));
    }

    [Fact]
    public void Metadata_that_disagrees_with_the_container_is_malformed()
    {
        var metadata = FilterHarness.Parse(harness.Clean(new SampleCheckpoint().Build()));
        var parameters = metadata.Parameters.ToDictionary(p => p.Key, p => p.Value);

        var retyped = new Dictionary<string, ParameterEntry>(parameters) { ["step"] = parameters["step"] with { Tensor = parameters["step"].Tensor with { DType = DType.U64 } } };
        var exception = ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => harness.Smudger.PrepareCheckpoint(metadata with { Parameters = retyped }, FilterHarness.CheckpointPath));
        Assert.Contains("'step'", exception.Message);

        var missing = new Dictionary<string, ParameterEntry>(parameters);
        missing.Remove("embedding");
        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => harness.Smudger.PrepareCheckpoint(metadata with { Parameters = missing }, FilterHarness.CheckpointPath));

        var extra = new Dictionary<string, ParameterEntry>(parameters) { ["ghost"] = parameters["step"] };
        var ghost = ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => harness.Smudger.PrepareCheckpoint(metadata with { Parameters = extra }, FilterHarness.CheckpointPath));
        Assert.Contains("'ghost'", ghost.Message);
    }

    [Fact]
    public void An_unknown_update_type_or_checkpoint_type_fails_in_prepare()
    {
        var metadata = FilterHarness.Parse(harness.Clean(new SampleCheckpoint().Build()));
        var parameters = metadata.Parameters.ToDictionary(p => p.Key, p => p.Value);
        parameters["step"] = parameters["step"] with { Update = new UpdateDescription("telepathy") };
        var exception = ThetaAssert.Throws(DiagnosticIds.UnknownUpdateType, () => harness.Smudger.PrepareCheckpoint(metadata with { Parameters = parameters }, FilterHarness.CheckpointPath));
        Assert.Contains("telepathy", exception.Message);

        ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => harness.Smudger.PrepareCheckpoint(metadata with { CheckpointType = "tflite" }, FilterHarness.CheckpointPath));
    }
}
