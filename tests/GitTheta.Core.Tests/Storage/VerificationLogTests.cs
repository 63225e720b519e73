using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

public sealed class VerificationLogTests : IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void An_object_is_verified_when_written_and_trusted_while_unchanged()
    {
        var store = new LfsObjectStore(root.Path);
        var reference = store.Put("some parameter bytes"u8);
        Assert.True(store.Verified.IsVerified(reference.Oid, new FileInfo(store.PathOf(reference.Oid))));
        Assert.True(new VerificationLog(root.Path).IsVerified(reference.Oid, new FileInfo(store.PathOf(reference.Oid))));
    }

    [Fact]
    public void A_changed_object_file_is_hashed_again_and_its_corruption_found()
    {
        var store = new LfsObjectStore(root.Path);
        var reference = store.Put("some parameter bytes"u8);
        var path = store.PathOf(reference.Oid);
        File.WriteAllBytes(path, "some parameter bytez"u8.ToArray());
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));

        var fresh = new LfsObjectStore(root.Path);
        var error = Assert.Throws<ThetaException>(() => fresh.ReadAll(reference.Oid, "test"));
        Assert.Equal(DiagnosticIds.CorruptObject, error.Code);
    }

    [Fact]
    public void Rehash_checks_even_a_trusted_object()
    {
        var store = new LfsObjectStore(root.Path);
        var reference = store.Put("some parameter bytes"u8);
        var path = store.PathOf(reference.Oid);
        var stamp = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, "some parameter bytez"u8.ToArray());
        File.SetLastWriteTimeUtc(path, stamp);

        // Same size and time: the log trusts it, a rehash does not.
        using (var trusted = store.OpenRead(reference.Oid, "test"))
        {
            trusted.VerifyToEnd();
        }

        using var rehashed = store.OpenRead(reference.Oid, "test", rehash: true);
        Assert.Equal(DiagnosticIds.CorruptObject, Assert.Throws<ThetaException>(rehashed.VerifyToEnd).Code);
    }

    [Fact]
    public void Forget_drops_only_the_given_objects_and_replaces_the_log_in_one_rename()
    {
        var store = new LfsObjectStore(root.Path);
        var keep = store.Put("kept bytes"u8).Oid;
        var drop = store.Put("dropped bytes"u8).Oid;
        var log = Path.Combine(root.Path, "theta-verified");
        File.AppendAllText(log, "a line some other tool wrote\n");

        store.Verified.Forget(new[] { drop, SampleMetadata.Oid("never stored") });

        var lines = File.ReadAllLines(log);
        Assert.Equal(new[] { keep }, lines.Select(l => l.Split(' ')[0]));
        Assert.True(new VerificationLog(root.Path).IsVerified(keep, new FileInfo(store.PathOf(keep))));
        Assert.False(store.Verified.IsVerified(drop, new FileInfo(store.PathOf(drop))));
        Assert.Equal(new[] { log }, Directory.GetFiles(root.Path));
    }

    [Fact]
    public void Forgetting_objects_the_log_does_not_know_leaves_the_file_as_it_was()
    {
        var store = new LfsObjectStore(root.Path);
        store.Put("kept bytes"u8);
        var log = Path.Combine(root.Path, "theta-verified");
        File.AppendAllText(log, "a line some other tool wrote\n");
        var before = File.ReadAllText(log);

        store.Verified.Forget(new[] { SampleMetadata.Oid("never stored") });

        Assert.Equal(before, File.ReadAllText(log));
    }
}
