using System.Security.Cryptography;
using System.Text.RegularExpressions;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

public sealed class LfsObjectStoreTests : IDisposable
{
    private readonly TempDirectory root = new();
    private readonly LfsObjectStore store;

    public LfsObjectStoreTests()
    {
        store = new LfsObjectStore(root.Path);
    }

    public void Dispose() => root.Dispose();

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    [Fact]
    public void Put_stores_right_in_objects_named_by_sha256()
    {
        var bytes = TestData.RandomBytes(1, 1000);
        var reference = store.Put(bytes);
        var oid = Sha256(bytes);
        Assert.Equal(new ObjectRef(oid, 1000), reference);
        var expectedPath = Path.Combine(root.Path, "theta", "objects", oid);
        Assert.Equal(expectedPath, store.PathOf(oid));
        Assert.Equal(bytes, File.ReadAllBytes(expectedPath));
        Assert.Equal(new[] { oid }, root.FilesUnder("theta/objects"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(root.Path, "theta", "objects")));

        Assert.Empty(root.FilesUnder("theta/tmp"));

        // git-lfs's store gets the same file under the same layout (a hard link) when a push needs it, not before.
        Assert.Empty(root.FilesUnder("objects"));
        Assert.True(store.EnsureLfsCopy(oid));
        Assert.Equal(new[] { Path.Combine(oid[..2], oid[2..4], oid) }, root.FilesUnder("objects"));
        Assert.Equal(bytes, File.ReadAllBytes(store.LfsPathOf(oid)));
    }

    [Fact]
    public void Objects_in_the_two_level_layout_of_earlier_versions_are_read_listed_kept_and_deleted_where_they_are()
    {
        var bytes = TestData.RandomBytes(7, 600);
        var oid = Sha256(bytes);
        var legacy = Path.Combine(root.Path, "theta", "objects", oid[..2], oid[2..4], oid);
        Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
        File.WriteAllBytes(legacy, bytes);

        Assert.Equal(legacy, store.PathOf(oid));
        Assert.True(store.Contains(new ObjectRef(oid, 600)));
        Assert.Equal(bytes, store.ReadAll(oid, "m.safetensors"));
        Assert.Equal(new[] { oid }, store.EnumerateObjects().Select(o => o.Oid));

        // Storing the same bytes again keeps the one copy where it is.
        Assert.Equal(new ObjectRef(oid, 600), store.Put(bytes));
        Assert.Equal(new[] { Path.Combine(oid[..2], oid[2..4], oid) }, root.FilesUnder("theta/objects"));
        Assert.Empty(root.FilesUnder("theta/tmp"));

        Assert.True(store.EnsureLfsCopy(oid));
        store.Delete(oid);
        Assert.Empty(root.FilesUnder("theta/objects"));
        Assert.Empty(root.FilesUnder("objects"));
    }

    [Fact]
    public void Both_layouts_are_listed_once_each_and_files_that_only_resemble_objects_are_not()
    {
        var flat = store.Put(TestData.RandomBytes(8, 300)).Oid;
        var olderBytes = TestData.RandomBytes(9, 300);
        var older = Sha256(olderBytes);
        var objects = Path.Combine(root.Path, "theta", "objects");
        Directory.CreateDirectory(Path.Combine(objects, older[..2], older[2..4]));
        File.WriteAllBytes(Path.Combine(objects, older[..2], older[2..4], older), olderBytes);

        // The same object in both layouts (a copy made by hand) is one object.
        Directory.CreateDirectory(Path.Combine(objects, flat[..2], flat[2..4]));
        File.Copy(Path.Combine(objects, flat), Path.Combine(objects, flat[..2], flat[2..4], flat));

        // Named like objects, but in the wrong folder: not objects.
        Directory.CreateDirectory(Path.Combine(objects, older[..2]));
        File.WriteAllBytes(Path.Combine(objects, older[..2], older), olderBytes);
        Directory.CreateDirectory(Path.Combine(objects, "zz"));
        File.WriteAllBytes(Path.Combine(objects, "zz", older), olderBytes);
        Directory.CreateDirectory(Path.Combine(objects, older[..2], "zz"));
        File.WriteAllBytes(Path.Combine(objects, older[..2], "zz", older), olderBytes);

        Assert.Equal(new[] { flat, older }.Order(StringComparer.Ordinal), store.EnumerateObjects().Select(o => o.Oid).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Put_of_the_same_bytes_is_idempotent()
    {
        var bytes = TestData.RandomBytes(2, 64);
        var first = store.Put(bytes);
        var second = store.Put(bytes.ToArray());
        Assert.Equal(first, second);
        Assert.Single(root.FilesUnder("theta/objects"));
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void Put_never_overwrites_an_object_already_in_place()
    {
        var bytes = TestData.RandomBytes(3, 64);
        var reference = store.Put(bytes);
        var path = store.PathOf(reference.Oid);
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.Equal(reference, store.Put(bytes));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void An_empty_object_is_the_sha256_of_nothing()
    {
        var reference = store.Put(ReadOnlySpan<byte>.Empty);
        Assert.Equal(new ObjectRef("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0), reference);
        Assert.True(store.Contains(reference));
    }

    [Fact]
    public void Contains_checks_presence_and_for_a_reference_also_the_size()
    {
        var reference = store.Put(TestData.RandomBytes(4, 10));
        Assert.True(store.Contains(reference.Oid));
        Assert.True(store.Contains(reference));
        Assert.False(store.Contains(SampleMetadata.Oid("absent")));
        Assert.False(store.Contains(new ObjectRef(SampleMetadata.Oid("absent"), 10)));
    }

    [Fact]
    public void A_reference_with_the_wrong_size_fails_with_GT2024_and_leaves_the_object_alone()
    {
        var bytes = TestData.RandomBytes(4, 10);
        var reference = store.Put(bytes);

        var exception = ThetaAssert.Throws(DiagnosticIds.ObjectSizeMismatch, () => store.Contains(reference with { Size = 11 }, "m.safetensors: parameter 'w'"));

        Assert.Contains("parameter 'w'", exception.Message);
        Assert.Contains(reference.Oid, exception.Message);
        Assert.Contains("size 11", exception.Message);
        Assert.Contains("10 bytes", exception.Message);
        Assert.Equal(bytes, File.ReadAllBytes(store.PathOf(reference.Oid)));
    }

    [Fact]
    public void Losing_the_git_lfs_name_loses_nothing_and_a_push_makes_it_again()
    {
        var bytes = TestData.RandomBytes(10, 300);
        var reference = store.Put(bytes);
        Assert.True(store.EnsureLfsCopy(reference.Oid));
        File.Delete(store.LfsPathOf(reference.Oid));

        Assert.True(store.Contains(reference));
        Assert.Equal(bytes, store.ReadAll(reference.Oid, "w"));
        Assert.True(store.EnsureLfsCopy(reference.Oid));
        Assert.Equal(bytes, File.ReadAllBytes(store.LfsPathOf(reference.Oid)));
    }

    [Fact]
    public void An_object_git_lfs_downloaded_is_adopted_once_it_hashes_right_and_refused_when_it_does_not()
    {
        var good = TestData.RandomBytes(11, 64);
        var goodOid = Sha256(good);
        Directory.CreateDirectory(Path.GetDirectoryName(store.LfsPathOf(goodOid))!);
        File.WriteAllBytes(store.LfsPathOf(goodOid), good);

        Assert.True(store.Contains(new ObjectRef(goodOid, 64)));
        Assert.Equal(good, File.ReadAllBytes(store.PathOf(goodOid)));

        var bad = TestData.RandomBytes(12, 64);
        var claimed = Sha256(TestData.RandomBytes(13, 64));
        Directory.CreateDirectory(Path.GetDirectoryName(store.LfsPathOf(claimed))!);
        File.WriteAllBytes(store.LfsPathOf(claimed), bad);

        Assert.False(store.Contains(new ObjectRef(claimed, 64)));
        Assert.False(File.Exists(store.PathOf(claimed)));
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => store.ReadAll(claimed, "w"));
    }

    [Fact]
    public void A_temp_file_of_a_dead_process_is_removed_by_the_next_write_and_a_live_ones_is_kept()
    {
        Directory.CreateDirectory(store.TempDirectory);
        using (var live = store.Begin())
        {
            live.Write(new byte[] { 1 });
            var liveName = Directory.GetFiles(store.TempDirectory).Single();

            // The same name a process that died would have left: this host, a pid with no process, any start time.
            var deadName = Regex.Replace(Path.GetFileName(liveName), @"^(theta-[0-9a-f]{8})-\d+-\d+-", "$1-" + DeadPid() + "-12345-");
            var dead = Path.Combine(store.TempDirectory, deadName);
            File.WriteAllText(dead, "half an object");
            var foreign = Path.Combine(store.TempDirectory, "theta-00000000-1-1-0123.tmp");
            File.WriteAllText(foreign, "another machine's");

            new LfsObjectStore(root.Path).Put(new byte[] { 2 });

            Assert.False(File.Exists(dead));
            Assert.True(File.Exists(liveName));
            Assert.True(File.Exists(foreign));
            store.Discard(live);
        }
    }

    private static int DeadPid()
    {
        for (var pid = 4_000_000; ; pid--)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                return pid;
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/")]
    public void An_invalid_oid_is_refused_before_touching_the_disk(string oid)
    {
        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => store.PathOf(oid));
        ThetaAssert.Throws(DiagnosticIds.MalformedMetadata, () => store.OpenRead(oid, "w"));
    }

    [Fact]
    public void OpenRead_returns_the_stored_bytes_and_verifies_them()
    {
        var bytes = TestData.RandomBytes(5, 200_000);
        var reference = store.Put(bytes);
        Assert.Equal(bytes, store.ReadAll(reference.Oid, "w"));
        using var stream = store.OpenRead(reference.Oid, "w");
        Assert.Equal(bytes.Length, stream.Length);
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        stream.VerifyToEnd();
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public void A_corrupt_object_fails_with_GT2008_at_the_end_of_reading()
    {
        var bytes = TestData.RandomBytes(6, 5000);
        var reference = store.Put(bytes);
        Assert.Equal(bytes, store.ReadAll(reference.Oid, "w"));
        SilentCorruption.FlipBit(store.PathOf(reference.Oid), 2500);
        var corrupt = bytes.ToArray();
        corrupt[2500] ^= 1;

        using var stream = store.OpenRead(reference.Oid, "model.safetensors: parameter 'w'");
        var buffer = new byte[corrupt.Length];
        stream.ReadExactly(buffer);
        Assert.Equal(corrupt, buffer);
        var exception = ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => stream.Read(new byte[16], 0, 16));
        Assert.Contains(reference.Oid, exception.Message);
        Assert.Contains("parameter 'w'", exception.Message);
    }

    [Fact]
    public void A_pipelined_read_of_a_large_object_returns_its_bytes_and_still_catches_one_flipped_bit()
    {
        var bytes = TestData.RandomBytes(14, (10 << 20) + 12345);
        var reference = store.Put(bytes);

        var copy = new byte[bytes.Length];
        using (var stream = store.OpenRead(reference.Oid, "w"))
        {
            Assert.Equal(bytes.Length, stream.ReadPipelined(copy));
            stream.VerifyToEnd();
        }

        Assert.Equal(bytes, copy);

        SilentCorruption.FlipBit(store.PathOf(reference.Oid), 9 << 20);
        using var corrupt = store.OpenRead(reference.Oid, "w");
        Assert.Equal(bytes.Length, corrupt.ReadPipelined(copy));
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => corrupt.VerifyToEnd());
    }

    [Fact]
    public void ReadAll_of_a_corrupt_object_fails_with_GT2008()
    {
        var reference = store.Put(TestData.RandomBytes(7, 100));
        store.ReadAll(reference.Oid, "w");
        SilentCorruption.FlipBit(store.PathOf(reference.Oid), 0);
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => store.ReadAll(reference.Oid, "w"));
    }

    [Fact]
    public void A_truncated_object_fails_with_GT2008()
    {
        var reference = store.Put(TestData.RandomBytes(9, 100));
        File.WriteAllBytes(store.PathOf(reference.Oid), TestData.RandomBytes(9, 100)[..50]);
        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => store.OpenRead(reference.Oid, "w").VerifyToEnd());
    }

    [Fact]
    public void A_missing_object_fails_with_GT2007_naming_the_oid_and_what_needed_it()
    {
        var oid = SampleMetadata.Oid("never stored");
        var exception = ThetaAssert.Throws(DiagnosticIds.MissingObject, () => store.OpenRead(oid, "model.safetensors: parameter 'encoder.w'"));
        Assert.Contains(oid, exception.Message);
        Assert.Contains("parameter 'encoder.w'", exception.Message);
        Assert.Contains("git theta fetch", exception.Message);
    }

    [Fact]
    public void A_pending_object_is_in_tmp_until_committed()
    {
        using var pending = store.Begin();
        pending.Write(new byte[] { 1, 2 });
        pending.Write(new byte[] { 3 });
        Assert.Single(root.FilesUnder("theta/tmp"));
        Assert.Empty(root.FilesUnder("objects"));
        var reference = store.Commit(pending);
        Assert.Equal(new ObjectRef(Sha256(new byte[] { 1, 2, 3 }), 3), reference);
        Assert.Equal(reference, pending.Result);
        Assert.Empty(root.FilesUnder("theta/tmp"));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(store.PathOf(reference.Oid)));
    }

    [Fact]
    public void A_discarded_pending_object_leaves_nothing()
    {
        var pending = store.Begin();
        pending.Write(new byte[] { 1, 2, 3 });
        store.Discard(pending);
        Assert.Empty(root.FilesUnder("theta/tmp"));
        Assert.Empty(root.FilesUnder("objects"));
        Assert.Throws<InvalidOperationException>(() => pending.Result);
    }
}
