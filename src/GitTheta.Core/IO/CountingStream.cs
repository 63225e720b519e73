namespace GitTheta.Core.IO;

/// <summary>Passes writes through and counts the bytes, so a value rebuilt straight into the output can be checked for its length.</summary>
internal sealed class CountingStream : WriteOnlyStream
{
    private readonly Stream inner;

    public CountingStream(Stream inner)
    {
        this.inner = inner;
    }

    public long Written { get; private set; }

    // The array overload goes through as it is: the stream underneath may do more with a whole array (hash it in parallel).
    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        Written += count;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        Written += buffer.Length;
    }

    public override void Flush() => inner.Flush();
}
