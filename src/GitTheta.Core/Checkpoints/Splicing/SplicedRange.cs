using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// Where one parameter group's bytes lie in a checkpoint file, and where the file keeps a CRC-32 of
/// them (a zip entry's local header, data descriptor and central directory record), all as file offsets.
/// Most groups are stored as their plain value; a group with a <see cref="Decoder"/> is stored encoded
/// in <see cref="StoredLength"/> bytes.
/// </summary>
internal sealed record SplicedRange(TensorInfo Info, long Offset, IReadOnlyList<long> Crc32At, long StoredLength, IGroupDecoder? Decoder)
{
    public SplicedRange(TensorInfo info, long offset, IReadOnlyList<long> crc32At)
        : this(info, offset, crc32At, info.ByteLength, null)
    {
    }

    public SplicedRange(TensorInfo info, long offset)
        : this(info, offset, Array.Empty<long>())
    {
    }

    public long End => Offset + StoredLength;
}
