using GitTheta.Core.IO;

namespace GitTheta.Tool.Progress;

/// <summary>A read-only stream that advances a meter by what each read returned: one call per chunk, not per byte.</summary>
internal sealed class ProgressReadStream : ReadOnlyStream
{
    private readonly Stream inner;
    private readonly ProgressMeter meter;

    public ProgressReadStream(Stream inner, ProgressMeter meter)
    {
        this.inner = inner;
        this.meter = meter;
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        meter.Advance(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        meter.Advance(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
