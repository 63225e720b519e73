using GitTheta.Core.IO;

namespace GitTheta.Tool.Progress;

/// <summary>A write-only stream that advances a meter by what each write carried: one call per chunk, not per byte.</summary>
internal sealed class ProgressWriteStream : WriteOnlyStream
{
    private readonly Stream inner;
    private readonly ProgressMeter meter;

    public ProgressWriteStream(Stream inner, ProgressMeter meter)
    {
        this.inner = inner;
        this.meter = meter;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        meter.Advance(buffer.Length);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        meter.Advance(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
