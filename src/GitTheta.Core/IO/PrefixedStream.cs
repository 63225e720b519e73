namespace GitTheta.Core.IO;

/// <summary>Replays bytes already read (to sniff the format) before the rest of the stream.</summary>
internal sealed class PrefixedStream : ReadOnlyStream
{
    private readonly byte[] prefix;
    private readonly Stream inner;
    private int offset;

    public PrefixedStream(byte[] prefix, Stream inner)
    {
        this.prefix = prefix;
        this.inner = inner;
    }

    /// <summary>Reads up to <paramref name="count"/> leading bytes (fewer only at end of stream).</summary>
    public static byte[] ReadPrefix(Stream input, int count)
    {
        var buffer = new byte[count];
        var n = input.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        return n == count ? buffer : buffer[..n];
    }

    public override int Read(Span<byte> buffer)
    {
        if (offset < prefix.Length)
        {
            var take = Math.Min(buffer.Length, prefix.Length - offset);
            prefix.AsSpan(offset, take).CopyTo(buffer);
            offset += take;
            return take;
        }

        return inner.Read(buffer);
    }

}
