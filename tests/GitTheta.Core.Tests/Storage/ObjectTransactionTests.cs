using System.Security.Cryptography;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

public sealed class ObjectTransactionTests : IDisposable
{
    private static readonly byte[] Header = "HEADER--"u8.ToArray();
    private readonly TempDirectory root = new();
    private readonly LfsObjectStore store;

    public ObjectTransactionTests()
    {
        store = new LfsObjectStore(root.Path);
    }

    public void Dispose() => root.Dispose();

    private static ObjectRef Expected(byte[] value) =>
        new(Convert.ToHexString(SHA256.HashData(Header.Concat(value).ToArray())).ToLowerInvariant(), Header.Length + value.Length);

    [Fact]
    public void Add_names_the_object_by_the_sha256_of_header_and_value()
    {
        using var transaction = new ObjectTransaction(store);
        var value = TestData.RandomBytes(1, 100);
        Assert.Equal(Expected(value), transaction.Add(Header, value));
    }

    [Fact]
    public void Nothing_appears_under_objects_until_commit()
    {
        using var transaction = new ObjectTransaction(store);
        var values = Enumerable.Range(0, 3).Select(i => TestData.RandomBytes(10 + i, 1000)).ToList();
        var references = values.Select(v => transaction.Add(Header, v)).ToList();

        Assert.Empty(root.FilesUnder("theta/objects"));
        Assert.Equal(3, root.FilesUnder("theta/tmp").Count);
        Assert.Equal(3, transaction.Count);

        transaction.Commit();

        Assert.Equal(3, root.FilesUnder("theta/objects").Count);
        Assert.Empty(root.FilesUnder("theta/tmp"));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Header.Concat(values[i]).ToArray(), store.ReadAll(references[i].Oid, "w"));
        }
    }

    [Fact]
    public void Dispose_without_commit_leaves_objects_and_tmp_empty()
    {
        using (var transaction = new ObjectTransaction(store))
        {
            transaction.Add(Header, TestData.RandomBytes(2, 1000));
            transaction.Add(Header, TestData.RandomBytes(3, 1000));
            Assert.NotEmpty(root.FilesUnder("theta/tmp"));
        }

        Assert.Empty(root.FilesUnder("theta/objects"));
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void Dispose_after_commit_keeps_the_objects()
    {
        var value = TestData.RandomBytes(4, 10);
        using (var transaction = new ObjectTransaction(store))
        {
            transaction.Add(Header, value);
            transaction.Commit();
        }

        Assert.True(store.Contains(Expected(value)));
    }

    [Fact]
    public void Hash_only_writes_nothing_but_names_objects_the_same()
    {
        var value = TestData.RandomBytes(5, 1000);
        using (var transaction = new ObjectTransaction(store, hashOnly: true))
        {
            Assert.Equal(Expected(value), transaction.Add(Header, value));
            Assert.Empty(root.FilesUnder("theta/tmp"));
            transaction.Commit();
        }

        Assert.Empty(root.FilesUnder("theta/objects"));
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void The_same_content_twice_is_one_new_object()
    {
        using var transaction = new ObjectTransaction(store);
        var value = TestData.RandomBytes(6, 100);
        var first = transaction.Add(Header, value);
        var second = transaction.Add(Header, value.ToArray());
        Assert.Equal(first, second);
        Assert.Equal(1, transaction.Count);
        Assert.Single(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void Content_already_in_the_store_is_not_written_or_counted()
    {
        var value = TestData.RandomBytes(7, 100);
        store.Put(Header.Concat(value).ToArray());
        using var transaction = new ObjectTransaction(store);
        Assert.Equal(Expected(value), transaction.Add(Header, value));
        Assert.Equal(0, transaction.Count);
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void Concurrent_adds_count_each_distinct_object_once()
    {
        var values = Enumerable.Range(0, 20).Select(i => TestData.RandomBytes(100 + (i % 10), 5000)).ToList();
        using var transaction = new ObjectTransaction(store);
        Parallel.ForEach(values, new ParallelOptions { MaxDegreeOfParallelism = 4 }, v => transaction.Add(Header, v));
        Assert.Equal(10, transaction.Count);
        Assert.Equal(10, root.FilesUnder("theta/tmp").Count);
        transaction.Commit();
        Assert.Equal(10, root.FilesUnder("theta/objects").Count);
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void Commit_keeps_an_object_another_writer_stored_meanwhile()
    {
        var value = TestData.RandomBytes(8, 100);
        using var transaction = new ObjectTransaction(store);
        var reference = transaction.Add(Header, value);
        store.Put(Header.Concat(value).ToArray());
        transaction.Commit();
        Assert.Single(root.FilesUnder("theta/objects"));
        Assert.Empty(root.FilesUnder("theta/tmp"));
        Assert.Equal(Header.Concat(value).ToArray(), store.ReadAll(reference.Oid, "w"));
    }
}
