using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// Where one parameter group's bytes lie in a checkpoint file, and where the file keeps a CRC-32 of
/// them (a zip entry's local header, data descriptor and central directory record), all as file offsets.
/// </summary>
public sealed record SplicedRange(TensorInfo Info, long Offset, IReadOnlyList<long> Crc32At)
{
    public SplicedRange(TensorInfo info, long offset)
        : this(info, offset, Array.Empty<long>())
    {
    }

    public long End => Offset + Info.ByteLength;
}
