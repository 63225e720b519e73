namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// A file seen through its skeleton: every byte except group data, addressed by file offset. A format
/// that read its groups from a stream checks its structure through this view afterwards, with the same
/// code that reads a spooled file, and compares the groups it finds with the ones it read.
/// </summary>
internal sealed class SkeletonView : IByteSource
{
    private readonly byte[] skeleton;
    private readonly IReadOnlyList<(long Offset, long Length)> holes;
    private readonly long[] removedBefore;

    /// <param name="holes">Where group data was, in file order.</param>
    public SkeletonView(byte[] skeleton, IReadOnlyList<(long Offset, long Length)> holes)
    {
        this.skeleton = skeleton;
        this.holes = holes;
        removedBefore = new long[holes.Count + 1];
        for (var i = 0; i < holes.Count; i++)
        {
            removedBefore[i + 1] = removedBefore[i] + holes[i].Length;
        }

        Length = skeleton.Length + removedBefore[^1];
    }

    public long Length { get; }

    /// <summary>Reads file bytes; bytes of group data read as zeros (they are only ever read ahead, or by a forged directory that the checks after it then refuse).</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length - destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Read of {destination.Length} bytes at {offset} outside a {Length}-byte file.");
        }

        var done = 0;
        while (done < destination.Length)
        {
            var at = offset + done;

            // The first hole that ends after the position: holes before it are wholly cut out of the skeleton.
            int low = 0, high = holes.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (holes[middle].Offset + holes[middle].Length <= at)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            int take;
            if (low < holes.Count && holes[low].Offset <= at)
            {
                take = (int)Math.Min(destination.Length - done, holes[low].Offset + holes[low].Length - at);
                destination.Slice(done, take).Clear();
            }
            else
            {
                var until = low < holes.Count ? holes[low].Offset : Length;
                take = (int)Math.Min(destination.Length - done, until - at);
                skeleton.AsSpan((int)(at - removedBefore[low]), take).CopyTo(destination[done..]);
            }

            done += take;
        }
    }

    public byte[] ReadBytes(long offset, int count)
    {
        var bytes = new byte[count];
        Read(offset, bytes);
        return bytes;
    }
}
