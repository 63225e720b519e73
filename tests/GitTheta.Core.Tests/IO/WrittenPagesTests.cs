using System.Security.Cryptography;
using GitTheta.Core.IO;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.IO;

/// <summary>
/// Write-behind only advises the kernel: every object must keep every byte, whether it was streamed, written whole,
/// dropped as a duplicate or renamed into the store while its pages were being released. What the kernel then keeps in
/// its page cache depends on the disk, so only the advice given is counted here.
/// </summary>
public sealed class WrittenPagesTests : IDisposable
{
    private static readonly byte[] Header = "HEADER--"u8.ToArray();
    private readonly TempDirectory root = new();
    private readonly LfsObjectStore store;

    public WrittenPagesTests()
    {
        store = new LfsObjectStore(root.Path);
    }

    public void Dispose() => root.Dispose();

    private static string Oid(params byte[][] parts) =>
        Convert.ToHexString(SHA256.HashData(parts.SelectMany(p => p).ToArray())).ToLowerInvariant();

    [Fact]
    public void A_streamed_object_keeps_every_byte_while_its_older_pages_are_released()
    {
        Assert.True(WrittenPages.Supported);
        var pages = new WrittenPages(engageAfter: 0);
        var value = TestData.RandomBytes(7, (int)(3 * WrittenPages.Lag + 12345));
        using var transaction = new ObjectTransaction(store, writtenPages: pages);

        using (var streamed = transaction.BeginStreamed(Header))
        {
            foreach (var piece in value.Chunk(1 << 20))
            {
                streamed.Write(piece);
            }

            var reference = transaction.AddStreamed(streamed);
            Assert.Equal(Oid(Header, value), reference.Oid);
        }

        transaction.Commit();

        Assert.Equal(Header.Concat(value).ToArray(), File.ReadAllBytes(store.PathOf(Oid(Header, value))));
        Assert.Equal(Header.Length + value.Length, pages.StartedBytes);
        // Released while it was written: everything but the last lag (and the window not yet handed to the disk).
        Assert.InRange(pages.ReleasedBytes, value.Length - WrittenPages.Lag - WrittenPages.Window, value.Length - WrittenPages.Lag);
    }

    [Fact]
    public void Many_whole_objects_keep_every_byte_and_the_older_ones_are_released_by_path()
    {
        var pages = new WrittenPages(engageAfter: 0);
        var values = Enumerable.Range(0, 12).Select(i => TestData.RandomBytes(100 + i, 3 << 20)).ToList();
        using var transaction = new ObjectTransaction(store, inlineBytes: 0, maxConcurrency: 2, writtenPages: pages);

        var references = values.Select(v => transaction.Add(Header, v)).ToList();
        // A duplicate is written to a temp file and dropped: releasing that path later must not fail.
        Assert.Equal(references[0], transaction.Add(Header, values[0]));
        transaction.Commit();

        for (var i = 0; i < values.Count; i++)
        {
            Assert.Equal(Oid(Header, values[i]), references[i].Oid);
            Assert.Equal(Header.Concat(values[i]).ToArray(), File.ReadAllBytes(store.PathOf(references[i].Oid)));
        }

        Assert.Empty(root.FilesUnder("theta/tmp"));
        var written = values.Sum(v => (long)(Header.Length + v.Length));
        Assert.InRange(pages.StartedBytes, written, written + Header.Length + values[0].Length);
        // Files closed more than the lag ago were released: at least all but the newest lag's worth.
        Assert.InRange(pages.ReleasedBytes, written - WrittenPages.Lag - (3 << 20) - Header.Length, written + Header.Length + values[0].Length);
    }

    [Fact]
    public void Nothing_is_done_before_the_process_has_written_enough()
    {
        var pages = new WrittenPages(engageAfter: 20 << 20);
        var small = Enumerable.Range(0, 4).Select(i => TestData.RandomBytes(200 + i, 4 << 20)).ToList();
        using var transaction = new ObjectTransaction(store, writtenPages: pages);

        foreach (var value in small)
        {
            transaction.Add(Header, value);
        }

        Assert.Equal(0, pages.StartedBytes);
        transaction.Add(Header, TestData.RandomBytes(300, 8 << 20));
        transaction.Commit();

        Assert.Equal(Header.Length + (8 << 20), pages.StartedBytes);
    }

    [Fact]
    public void Without_write_behind_no_advice_is_given()
    {
        using (var transaction = new ObjectTransaction(store))
        {
            transaction.Add(Header, TestData.RandomBytes(1, 40 << 20));
            transaction.Commit();
        }

        Assert.Equal(0, store.WrittenPages.StartedBytes);
        Assert.Equal(0, store.WrittenPages.ReleasedBytes);
    }
}
