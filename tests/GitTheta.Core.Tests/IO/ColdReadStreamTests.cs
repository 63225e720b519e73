using GitTheta.Core.IO;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.IO;

/// <summary>
/// A file read from disk is released as it is read; one in the page cache is read as it is. The test makes a file cold
/// the way write-behind leaves objects: written, on disk, and dropped from the cache.
/// </summary>
public sealed class ColdReadStreamTests : IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    private string WriteCold(byte[] bytes)
    {
        var path = Path.Combine(root.Path, "cold.bin");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
            Assert.True(PageCache.Release(file.SafeFileHandle, 0, bytes.Length));
        }

        return path;
    }

    [Fact]
    public void A_cold_file_reads_every_byte_and_leaves_the_page_cache_as_it_found_it()
    {
        var bytes = TestData.RandomBytes(3, (int)(3 * WrittenPages.Window + 4321));
        var path = WriteCold(bytes);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);

        // Its probe finds the middle page missing (a probe that misses may start reading it ahead, so it is the only one).
        using var stream = ColdReadStream.Over(file);
        Assert.IsType<ColdReadStream>(stream);
        var copy = new MemoryStream();
        stream.CopyTo(copy, 1 << 20);

        Assert.Equal(bytes, copy.ToArray());
        using var probe = File.OpenHandle(path);
        Assert.False(PageCache.IsCached(probe, bytes.Length / 2 & ~4095L));
    }

    [Fact]
    public void A_cached_file_or_a_small_one_is_read_as_it_is()
    {
        var bytes = TestData.RandomBytes(4, 4 << 20);
        var path = Path.Combine(root.Path, "warm.bin");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, File.ReadAllBytes(path));

        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            Assert.True(PageCache.IsCached(file.SafeFileHandle, bytes.Length / 2 & ~4095L));
            Assert.Same(file, ColdReadStream.Over(file));
        }

        var small = WriteCold(TestData.RandomBytes(5, (int)ColdReadStream.MinimumBytes - 1));
        using var smallFile = new FileStream(small, FileMode.Open, FileAccess.Read);
        Assert.Same(smallFile, ColdReadStream.Over(smallFile));
    }
}
