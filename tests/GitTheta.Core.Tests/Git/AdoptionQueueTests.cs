using GitTheta.Core.Git;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Git;

public sealed class AdoptionQueueTests : IDisposable
{
    private readonly TempDirectory root = new();
    private readonly LfsObjectStore store;

    public AdoptionQueueTests()
    {
        store = new LfsObjectStore(root.Path);
    }

    public void Dispose() => root.Dispose();

    [Fact]
    public void Objects_started_while_git_lfs_downloads_are_adopted_and_a_wrong_one_is_refused()
    {
        var good = Download(TestData.RandomBytes(1, 5000));
        var claimed = Sha256(TestData.RandomBytes(2, 64));
        WriteLfsCopy(claimed, TestData.RandomBytes(3, 64));
        var queue = new AdoptionQueue(store);

        queue.Start(good);
        queue.Start(good);
        queue.Start(claimed);
        queue.WaitAll();

        Assert.True(queue.Adopted(good));
        Assert.True(File.Exists(store.PathOf(good)));
        Assert.False(queue.Adopted(claimed));
        Assert.False(File.Exists(store.PathOf(claimed)));
    }

    [Fact]
    public void An_object_never_started_is_adopted_when_asked_if_git_lfs_has_it()
    {
        var good = Download(TestData.RandomBytes(4, 100));
        var absent = Sha256(TestData.RandomBytes(5, 100));
        var queue = new AdoptionQueue(store);

        Assert.True(queue.Adopted(good));
        Assert.Equal(File.ReadAllBytes(store.LfsPathOf(good)), File.ReadAllBytes(store.PathOf(good)));
        Assert.False(queue.Adopted(absent));
    }

    private static string Sha256(byte[] bytes) => ObjectId.Of(ReadOnlySpan<byte>.Empty, bytes).Oid;

    private string Download(byte[] bytes)
    {
        var oid = Sha256(bytes);
        WriteLfsCopy(oid, bytes);
        return oid;
    }

    private void WriteLfsCopy(string oid, byte[] bytes)
    {
        var path = store.LfsPathOf(oid);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
