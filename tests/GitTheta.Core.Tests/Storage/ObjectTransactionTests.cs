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

    // Values from ObjectTransaction.OverlapBytes on are hashed on another thread while they are written, when the
    // transaction may use more than one thread: the same references, objects and counts as hashing first.
    private static byte[] LargeValue(int seed) => TestData.RandomBytes(seed, ObjectTransaction.OverlapBytes + 3);

    [Fact]
    public void Overlapped_add_names_and_stores_large_values_as_the_serial_one_does()
    {
        var values = new[] { LargeValue(20), LargeValue(21) };
        ObjectRef[] serial;
        using (var other = new TempDirectory())
        using (var transaction = new ObjectTransaction(new LfsObjectStore(other.Path)))
        {
            serial = values.Select(v => transaction.Add(Header, v)).ToArray();
        }

        using var overlapped = new ObjectTransaction(store, maxConcurrency: 2);
        var references = values.Select(v => overlapped.Add(Header, v)).ToArray();
        Assert.Equal(serial, references);
        Assert.Equal(values.Select(Expected), references);
        Assert.Empty(root.FilesUnder("theta/objects"));
        Assert.Equal(2, overlapped.Count);

        overlapped.Commit();

        Assert.Empty(root.FilesUnder("theta/tmp"));
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(Header.Concat(values[i]).ToArray(), store.ReadAll(references[i].Oid, "w"));
        }
    }

    [Fact]
    public void Overlapped_add_of_the_same_large_value_twice_keeps_one_temp_file()
    {
        var value = LargeValue(22);
        using var transaction = new ObjectTransaction(store, maxConcurrency: 2);
        Assert.Equal(transaction.Add(Header, value), transaction.Add(Header, value));
        Assert.Equal(1, transaction.Count);
        Assert.Single(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void Overlapped_add_of_a_stored_large_value_drops_its_temp_file()
    {
        var value = LargeValue(23);
        using (var first = new ObjectTransaction(store))
        {
            first.Add(Header, value);
            first.Commit();
        }

        using var transaction = new ObjectTransaction(store, maxConcurrency: 2);
        Assert.Equal(Expected(value), transaction.Add(Header, value));
        Assert.Equal(0, transaction.Count);
        Assert.Empty(root.FilesUnder("theta/tmp"));
        Assert.Single(root.FilesUnder("theta/objects"));
    }

    [Fact]
    public void Overlapped_add_of_a_value_small_enough_to_inline_stores_nothing()
    {
        var value = LargeValue(24);
        using var transaction = new ObjectTransaction(store, inlineBytes: 4 << 20, maxConcurrency: 2);
        var reference = transaction.Add(Header, value);
        Assert.Equal(Expected(value) with { Inline = reference.Inline }, reference);
        Assert.True(reference.IsInline);
        Assert.Equal(0, transaction.Count);
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }

    [Fact]
    public void Overlapped_adds_disposed_without_commit_leave_nothing()
    {
        using (var transaction = new ObjectTransaction(store, maxConcurrency: 2))
        {
            transaction.Add(Header, LargeValue(25));
            Assert.NotEmpty(root.FilesUnder("theta/tmp"));
        }

        Assert.Empty(root.FilesUnder("theta/objects"));
        Assert.Empty(root.FilesUnder("theta/tmp"));
    }
}
