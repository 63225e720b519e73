using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Groups over theta.largeGroupBytes (2 GiB by default) are read and written in chunks and stored dense. With the
/// setting at 1 KiB every 2 KiB group of these checkpoints goes that way, and the repository must end up with the
/// same metadata blobs, the same objects and the same checkouts as one where every group is held whole.
/// </summary>
public sealed class LargeGroupTests : IDisposable
{
    private readonly Sandbox sandbox = new();

    [Fact]
    public void Streamed_groups_give_the_same_blobs_objects_and_checkouts_as_whole_ones()
    {
        var whole = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var streamed = sandbox.InitRepository("streamed");
        streamed.ThetaOk("install");
        streamed.ThetaOk("track", "model.safetensors");
        streamed.GitOk("config", "theta.largeGroupBytes", "1k");
        var v1 = Checkpoint.Random(6);
        var v2 = v1.Clone().Add(2, 1e-3f);

        foreach (var repo in new[] { whole, streamed })
        {
            repo.Write("model.safetensors", v1.ToBytes());
            repo.GitOk("add", ".gitattributes", "model.safetensors");
            repo.Commit("v1");
            var first = repo.StoredObjects();
            repo.Write("model.safetensors", v2.ToBytes());
            repo.GitOk("add", "model.safetensors");
            repo.Commit("v2");
            Assert.Single(repo.StoredObjects().Except(first));

            // A few one-ulp changes are no change, decided by the LSH on the streamed chunks too.
            repo.Write("model.safetensors", v2.Clone().NudgeUlp(4, 3).ToBytes());
            repo.GitOk("add", "model.safetensors");
            Assert.Equal(string.Empty, repo.GitOk("diff", "--cached", "--name-only"));
        }

        // The streamed groups also record the fingerprint of each chunk; apart from that the blobs are the same.
        Assert.Contains("\"xxh3_chunks\"", streamed.Show("HEAD:model.safetensors"));
        Assert.Equal(whole.Show("HEAD~1:model.safetensors"), WithoutChunkFingerprints(streamed.Show("HEAD~1:model.safetensors")));
        Assert.Equal(whole.Show("HEAD:model.safetensors"), WithoutChunkFingerprints(streamed.Show("HEAD:model.safetensors")));
        Assert.Equal(whole.StoredObjects().Select(Path.GetFileName).Order(), streamed.StoredObjects().Select(Path.GetFileName).Order());

        File.Delete(streamed.Path("model.safetensors"));
        streamed.GitOk("checkout", "HEAD~1", "--", "model.safetensors");
        Assert.Equal(v1.ToBytes(), streamed.Read("model.safetensors"));
        streamed.GitOk("checkout", "HEAD", "--", "model.safetensors");
        Assert.Equal(v2.ToBytes(), streamed.Read("model.safetensors"));
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("low-rank")]
    public void Groups_over_the_stream_size_are_streamed_only_where_that_stores_the_same(string updateType)
    {
        // theta.streamGroupBytes streams a dense group and keeps a group whole where an update type needs it: the
        // metadata and objects match a repository that holds every group whole, for either update type.
        var whole = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        var streamed = sandbox.InitRepository("streamed");
        streamed.ThetaOk("install");
        streamed.ThetaOk("track", "model.safetensors");
        streamed.GitOk("config", "theta.streamGroupBytes", "1k");
        var v1 = Checkpoint.Random(6, rows: 64, columns: 32);
        var v2 = v1.Clone().Add(2, 1e-3f);

        foreach (var repo in new[] { whole, streamed })
        {
            repo.GitOk("config", "theta.updateType", updateType);
            repo.Write("model.safetensors", v1.ToBytes());
            repo.GitOk("add", ".gitattributes", "model.safetensors");
            repo.Commit("v1");
            repo.Write("model.safetensors", v2.ToBytes());
            repo.GitOk("add", "model.safetensors");
            repo.Commit("v2");
            repo.Write("model.safetensors", v2.Clone().NudgeUlp(4, 3).ToBytes());
            repo.GitOk("add", "model.safetensors");
            Assert.Equal(string.Empty, repo.GitOk("diff", "--cached", "--name-only"));
        }

        // An incremental update names the commit it builds on, which differs between the two repositories.
        static string WithoutBase(string metadata) =>
            System.Text.RegularExpressions.Regex.Replace(metadata, "\"base\": \"[0-9a-f]{40}\"", "\"base\": \"<commit>\"");
        Assert.Equal(updateType == "dense", streamed.Show("HEAD:model.safetensors").Contains("\"xxh3_chunks\"", StringComparison.Ordinal));
        Assert.Equal(WithoutBase(whole.Show("HEAD~1:model.safetensors")), WithoutBase(WithoutChunkFingerprints(streamed.Show("HEAD~1:model.safetensors"))));
        Assert.Equal(WithoutBase(whole.Show("HEAD:model.safetensors")), WithoutBase(WithoutChunkFingerprints(streamed.Show("HEAD:model.safetensors"))));
        Assert.Equal(updateType == "low-rank", whole.Show("HEAD:model.safetensors").Contains("\"low-rank\"", StringComparison.Ordinal));
        Assert.Equal(whole.StoredObjects().Select(Path.GetFileName).Order(), streamed.StoredObjects().Select(Path.GetFileName).Order());

        // Low-rank rebuilds v2 within the tolerances, not bit for bit: both repositories must rebuild the same bytes.
        foreach (var repo in new[] { whole, streamed })
        {
            File.Delete(repo.Path("model.safetensors"));
            repo.GitOk("checkout", "HEAD~1", "--", "model.safetensors");
            Assert.Equal(v1.ToBytes(), repo.Read("model.safetensors"));
            repo.GitOk("checkout", "HEAD", "--", "model.safetensors");
        }

        Assert.Equal(whole.Read("model.safetensors"), streamed.Read("model.safetensors"));
        if (updateType == "dense")
        {
            Assert.Equal(v2.ToBytes(), streamed.Read("model.safetensors"));
        }
    }

    [Fact]
    public void Memory_of_a_clean_and_a_smudge_does_not_follow_a_large_dense_group()
    {
        // One 96 MiB group: held whole, a clean needs it at least once on top of the runtime (well over 160 MiB); read
        // in chunks of the default 16 MiB stream size (no configuration) it needs a few chunks.
        const int Rows = 6144;
        const int Columns = 4096;
        var repo = ThetaRepoFactory.Create(sandbox, "big.safetensors");
        var bytes = new TensorFile()
            .Add("embedding.weight", "F32", new long[] { Rows, Columns }, TensorFile.Random(7, (long)Rows * Columns))
            .Add("head.bias", "F32", new long[] { 16 }, TensorFile.Random(8, 16))
            .ToBytes();
        repo.Write("big.safetensors", bytes);

        long clean;
        using (var probe = new PeakRssProbe(repo.Directory, "git-theta"))
        {
            repo.GitOk("add", ".gitattributes", "big.safetensors");
            clean = probe.Stop();
        }

        repo.Commit("big");
        File.Delete(repo.Path("big.safetensors"));
        long smudge;
        using (var probe = new PeakRssProbe(repo.Directory, "git-theta"))
        {
            repo.GitOk("checkout", "--", "big.safetensors");
            smudge = probe.Stop();
        }

        Assert.Equal(bytes, repo.Read("big.safetensors"));
        if (OperatingSystem.IsLinux())
        {
            Assert.True(clean > 0 && smudge > 0, "the filter process was never seen");
            Assert.True(clean < 140L << 20, $"clean peak RSS {clean >> 20} MiB");
            Assert.True(smudge < 140L << 20, $"smudge peak RSS {smudge >> 20} MiB");
        }
    }

    [Fact]
    public void A_streamed_group_that_matches_a_stored_file_holding_other_bytes_is_stored_as_new_not_kept()
    {
        // A streamed group is compared with its stored file without hashing it, and the old entry stands only when the
        // new bytes' fingerprint is the one recorded for the old value. Here the stored file of v1's group was replaced
        // by v2's object (same size, other bytes): v2 then matches the file byte for byte, and must still be stored
        // as the new value it is, not kept as v1.
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.GitOk("config", "theta.streamGroupBytes", "1k");
        var v1 = Checkpoint.Random(3, rows: 64, columns: 32);
        var v2 = v1.Clone().Add(1, 1e-3f);
        var group = v1.Names[1];

        var other = sandbox.InitRepository("other");
        other.ThetaOk("install");
        other.ThetaOk("track", "model.safetensors");
        other.Write("model.safetensors", v2.ToBytes());
        other.GitOk("add", ".gitattributes", "model.safetensors");
        var v2Object = MetadataView.Parse(other.GitOk("show", ":model.safetensors"))[group].Oid;

        repo.Write("model.safetensors", v1.ToBytes());
        repo.GitOk("add", ".gitattributes", "model.safetensors");
        repo.Commit("v1");
        var v1Object = MetadataView.Parse(repo.Show("HEAD:model.safetensors"))[group].Oid;
        foreach (var file in new[] { repo.ObjectFile(v1Object), repo.LfsObjectFile(v1Object) }.Where(File.Exists))
        {
            File.Delete(file);
            File.Copy(other.ObjectFile(v2Object), file);
        }

        repo.Write("model.safetensors", v2.ToBytes());
        repo.GitOk("add", "model.safetensors");

        Assert.Equal(v2Object, MetadataView.Parse(repo.GitOk("show", ":model.safetensors"))[group].Oid);
        repo.Commit("v2");
        File.Delete(repo.Path("model.safetensors"));
        repo.GitOk("checkout", "--", "model.safetensors");
        Assert.Equal(v2.ToBytes(), repo.Read("model.safetensors"));
    }

    [Fact]
    public void A_touched_re_add_of_streamed_groups_keeps_every_entry_and_writes_nothing()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.GitOk("config", "theta.streamGroupBytes", "1k");
        var v1 = Checkpoint.Random(4, rows: 64, columns: 32);
        repo.Write("model.safetensors", v1.ToBytes());
        repo.GitOk("add", ".gitattributes", "model.safetensors");
        repo.Commit("v1");
        var objects = repo.StoredObjects();

        File.SetLastWriteTimeUtc(repo.Path("model.safetensors"), DateTime.UtcNow.AddMinutes(1));
        repo.GitOk("add", "model.safetensors");

        Assert.Equal(string.Empty, repo.GitOk("diff", "--cached", "--name-only"));
        Assert.Equal(objects.Order(), repo.StoredObjects().Order());
        Assert.Empty(repo.TempFiles());
    }

    [Fact]
    public void A_streamed_group_is_stored_dense_whatever_update_type_is_asked_for()
    {
        var repo = ThetaRepoFactory.Create(sandbox, "model.safetensors");
        repo.GitOk("config", "theta.largeGroupBytes", "1k");
        var v1 = Checkpoint.Random(4);
        repo.Write("model.safetensors", v1.ToBytes());
        repo.GitOk("add", ".gitattributes", "model.safetensors");
        repo.Commit("v1");

        repo.Write("model.safetensors", v1.Clone().Add(1, 1e-3f).ToBytes());
        var add = repo.Theta("add", "model.safetensors", "--update-type", "sparse").EnsureSuccess("git theta add");
        repo.Commit("v2");

        Assert.Equal("dense", MetadataView.Parse(repo.Show("HEAD:model.safetensors"))["layers.1.weight"].Type);
        Assert.Contains("model.safetensors: stored dense instead of sparse: parameter 'layers.1.weight': groups over 1024 bytes (theta.largeGroupBytes) are read in pieces and stored dense.", add.Error);
    }

    public void Dispose() => sandbox.Dispose();

    /// <summary>Metadata as a clean that holds every group whole writes it: without the chunk fingerprints of streamed groups.</summary>
    private static string WithoutChunkFingerprints(string metadata) =>
        System.Text.RegularExpressions.Regex.Replace(metadata, @",\n *""xxh3_chunks"": \{\n *""bytes"": [0-9]+,\n *""hashes"": \[[^\]]*\]\n *\}", string.Empty);
}
