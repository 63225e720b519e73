using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// A file seen through its skeleton: every byte except group data, addressed by file offset. A format
/// that read its groups from a stream checks its structure through this view afterwards, with the same
/// code that reads a spooled file; a read that lands in group data means the structure is inconsistent.
/// </summary>
public sealed class SkeletonView : IByteSource
{
    private readonly byte[] skeleton;
    private readonly IReadOnlyList<(long Offset, long Length)> holes;
    private readonly string path;

    /// <param name="holes">Where group data was, in file order.</param>
    public SkeletonView(byte[] skeleton, IReadOnlyList<(long Offset, long Length)> holes, string path)
    {
        this.skeleton = skeleton;
        this.holes = holes;
        this.path = path;
        Length = skeleton.Length + holes.Sum(h => h.Length);
    }

    public long Length { get; }

    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length - destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Read of {destination.Length} bytes at {offset} outside a {Length}-byte file.");
        }

        long removed = 0;
        foreach (var (start, length) in holes)
        {
            if (offset + destination.Length <= start)
            {
                break;
            }

            if (offset < start + length)
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: the file's directory points into tensor data at byte {offset}; the file is corrupt or forged.");
            }

            removed += length;
        }

        skeleton.AsSpan((int)(offset - removed), destination.Length).CopyTo(destination);
    }

    public byte[] ReadBytes(long offset, int count)
    {
        var bytes = new byte[count];
        Read(offset, bytes);
        return bytes;
    }
}
