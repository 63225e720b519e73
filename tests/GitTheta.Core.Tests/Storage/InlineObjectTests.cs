using System.Text;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Tests.Updates;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Storage;

/// <summary>
/// Objects up to theta.inlineObjectBytes travel base64 in the metadata (format git-theta/2) instead of the store:
/// byte for byte the object the store would hold, under the same oid, checked whenever metadata is read.
/// </summary>
public sealed class InlineObjectTests : IDisposable
{
    private static readonly string[] StoredGroups = { "encoder.layer.0.attention.weight", "encoder.layer.1.attention.weight", "decoder.weight" };

    private readonly FilterHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void Groups_and_containers_up_to_4_KiB_travel_in_the_metadata_and_larger_ones_in_the_store()
    {
        var file = new SampleCheckpoint().Build();

        var bytes = harness.Clean(file);
        var metadata = FilterHarness.Parse(bytes);

        Assert.Contains("\"format\": \"git-theta/2\"", Encoding.UTF8.GetString(bytes));
        Assert.True(metadata.Container.IsInline);
        foreach (var (name, entry) in metadata.Parameters)
        {
            Assert.Equal(!StoredGroups.Contains(name), entry.Object.IsInline);
            Assert.Equal(entry.Object.IsInline, entry.Object.Size <= ThetaSettings.DefaultInlineObjectBytes);
        }

        Assert.Equal(StoredGroups.Length, harness.Objects.Count);
        Assert.Equal(StoredGroups.Length, harness.Cleaner.LastNewObjects);
        Assert.Equal(metadata.Objects.Select(o => o.Oid).Order(), harness.Objects.Select(Path.GetFileName).Order());
        Assert.Equal(file, harness.Smudge(bytes));
    }

    [Fact]
    public void An_inline_object_is_the_object_the_store_would_hold_under_the_same_oid()
    {
        var file = new SampleCheckpoint().Build();
        using var stored = new FilterHarness(settings: StoredObjects.Settings);

        var inline = FilterHarness.Parse(harness.Clean(file));
        var everyObject = FilterHarness.Parse(stored.Clean(file));

        Assert.Equal(everyObject.Container, inline.Container);
        Assert.Equal(everyObject.Container.Size, inline.Container.Inline!.Length);
        Assert.Equal(stored.Store.ReadAll(everyObject.Container.Oid, "test"), inline.Container.Inline);
        foreach (var (name, entry) in inline.Parameters.Where(p => p.Value.Object.IsInline))
        {
            Assert.Equal(everyObject.Parameters[name].Object, entry.Object);
            Assert.Equal(stored.Store.ReadAll(entry.Object.Oid, "test"), entry.Object.Inline);
        }
    }

    [Fact]
    public void Metadata_whose_objects_are_all_stored_keeps_format_1_and_its_bytes()
    {
        using var stored = new FilterHarness(settings: StoredObjects.Settings);

        var bytes = stored.Clean(new SampleCheckpoint().Build());

        Assert.Contains("\"format\": \"git-theta/1\"", Encoding.UTF8.GetString(bytes));
        Assert.DoesNotContain("\"inline\"", Encoding.UTF8.GetString(bytes));
        Assert.Equal(bytes, MetadataSerializer.Serialize(FilterHarness.Parse(bytes)));
    }

    [Fact]
    public void Re_adding_a_checkpoint_staged_by_an_earlier_version_keeps_its_stored_objects_and_metadata_bytes()
    {
        // What an upgrade meets: HEAD's metadata names small objects in the store. An unchanged file must clean to the
        // same bytes, or every tracked checkpoint would show as modified after the upgrade.
        var file = new SampleCheckpoint().Build();
        var earlier = harness.Store;
        var before = new ThetaCleaner(new ThetaEngine(earlier, StoredObjects.Settings, null)).Clean(new MemoryStream(file), FilterHarness.CheckpointPath, null, null);

        var after = harness.Clean(file, FilterHarness.Parse(before));

        Assert.Equal(before, after);
    }

    [Fact]
    public void Round_trips_through_the_serializer_with_the_bytes_and_sorted_keys()
    {
        var metadata = FilterHarness.Parse(harness.Clean(new SampleCheckpoint().Build()));

        var text = Encoding.UTF8.GetString(MetadataSerializer.Serialize(metadata));
        var again = MetadataSerializer.Parse(Encoding.UTF8.GetBytes(text), "m");

        Assert.Equal(metadata.Container.Inline, again.Container.Inline);
        var inlineAt = text.IndexOf("\"inline\": \"", StringComparison.Ordinal);
        Assert.True(inlineAt >= 0 && inlineAt < text.IndexOf("\"oid\"", inlineAt, StringComparison.Ordinal));
        Assert.Equal(MetadataSerializer.Serialize(metadata), MetadataSerializer.Serialize(again));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("not-base64")]
    [InlineData("not-a-string")]
    public void Inline_bytes_that_are_not_the_object_are_refused_when_the_metadata_is_read(string damage)
    {
        var metadata = FilterHarness.Parse(harness.Clean(new SampleCheckpoint().Build()));
        var text = Encoding.UTF8.GetString(MetadataSerializer.Serialize(metadata));
        var inline = Convert.ToBase64String(metadata.Parameters["decoder.bias"].Object.Inline!);
        var damaged = damage switch
        {
            "flip" => Convert.ToBase64String(metadata.Parameters["decoder.bias"].Object.Inline!.Select((b, i) => i == 90 ? (byte)(b ^ 1) : b).ToArray()),
            "truncate" => Convert.ToBase64String(metadata.Parameters["decoder.bias"].Object.Inline![..^4]),
            "not-base64" => "!!" + inline[2..],
            _ => null,
        };
        var forged = damaged is null ? text.Replace("\"" + inline + "\"", "42", StringComparison.Ordinal) : text.Replace(inline, damaged, StringComparison.Ordinal);
        Assert.NotEqual(text, forged);

        var error = ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => harness.Smudge(Encoding.UTF8.GetBytes(forged)));

        Assert.Contains("decoder.bias", error.Message);
    }

    [Fact]
    public void Inline_objects_larger_than_metadata_may_carry_are_refused()
    {
        var bytes = new byte[ThetaSettings.MaxInlineObjectBytes + 1];
        var oid = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();

        var error = ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => InlineObjects.Read(oid, bytes.Length, Convert.ToBase64String(bytes), problem => new ThetaException(DiagnosticIds.MalformedMetadata, problem)));

        Assert.Contains("larger than", error.Message);
    }

    [Fact]
    public void A_reader_of_format_1_only_would_refuse_inline_metadata_and_this_one_reads_both()
    {
        var bytes = harness.Clean(new SampleCheckpoint().Build());
        var asFormat1 = Encoding.UTF8.GetString(bytes).Replace("git-theta/2", "git-theta/1", StringComparison.Ordinal);

        Assert.NotNull(MetadataSerializer.TryParse(bytes, "m"));
        Assert.True(MetadataSerializer.Parse(Encoding.UTF8.GetBytes(asFormat1), "m").HasInlineObjects);
    }

    [Fact]
    public void A_store_repair_writes_a_small_object_that_metadata_names_as_stored()
    {
        using var stored = new FilterHarness(settings: StoredObjects.Settings);
        var file = new SampleCheckpoint().Build();
        var previous = FilterHarness.Parse(stored.Clean(file));
        var bias = previous.Parameters["decoder.bias"].Object;
        var sameStore = new ThetaCleaner(new ThetaEngine(stored.Store, new ThetaSettings(), null));

        File.Delete(stored.Store.PathOf(bias.Oid));
        sameStore.Clean(new MemoryStream(file), FilterHarness.CheckpointPath, previous, null);

        Assert.True(stored.Store.Contains(bias));
    }

    [Fact]
    public void An_update_chain_mixes_inline_updates_with_the_stored_dense_value_below_them_and_rebuilds_every_version()
    {
        // A few changed elements of a 12 KiB group: each sparse update is a small object, so it travels inline, and the
        // chain names the stored dense value at its bottom and the inline updates between.
        const string weight = "encoder.layer.0.attention.weight";
        using var chain = new ChainHarness();
        var checkpoint = new SampleCheckpoint();
        var versions = new List<byte[]> { checkpoint.Build() };
        chain.Commit(versions[0], "sparse");
        for (var k = 1; k <= 3; k++)
        {
            checkpoint.Values[weight][k * 31] += 0.5f;
            versions.Add(checkpoint.Build());
            var entry = chain.Commit(versions[k], "sparse").Parameters[weight];
            Assert.Equal(SparseUpdate.TypeName, entry.Update.Type);
            Assert.True(entry.Object.IsInline);
            Assert.False(entry.Update.Chain![^1].Object.IsInline);
            Assert.All(entry.Update.Chain!.SkipLast(1), link => Assert.True(link.Object.IsInline));
        }

        var text = Encoding.UTF8.GetString(MetadataSerializer.Serialize(chain.Head));
        Assert.Contains("\"sparse " + chain.Commits[1].Metadata.Parameters[weight].Object.Oid + " ", text);
        Assert.Equal(new[] { chain.Commits[0].Metadata.Parameters[weight].Object }, chain.Head.Parameters[weight].Objects);
        for (var k = 0; k <= 3; k++)
        {
            Assert.Equal(versions[k], chain.Smudge(chain.Commits[k].Metadata));
        }
    }

    [Fact]
    public void Setting_the_limit_to_0_stores_every_object_and_the_setting_is_range_checked()
    {
        var zero = ThetaSettings.Load(name => name == "GIT_THETA_INLINE_OBJECT_BYTES" ? "0" : null, _ => null);
        var configured = ThetaSettings.Load(_ => null, key => key == "theta.inlineObjectBytes" ? "16k" : null);

        Assert.Equal(0, zero.InlineObjectBytes);
        Assert.Equal(16 * 1024, configured.InlineObjectBytes);
        Assert.Equal(4096, new ThetaSettings().InlineObjectBytes);
        var error = ThetaAssert.Throws(DiagnosticIds.InvalidConfiguration, () => ThetaSettings.Load(name => name == "GIT_THETA_INLINE_OBJECT_BYTES" ? "1m" : null, _ => null));
        Assert.Contains("GIT_THETA_INLINE_OBJECT_BYTES", error.Message);
    }
}
