using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// Turns a group's bytes as the file stores them (an encoding whose size depends on the values, such
/// as protobuf varints) into its plain little-endian value. The format that names a decoder is the
/// one that encodes the value again on write.
/// </summary>
internal interface IGroupDecoder
{
    /// <summary>The value, exactly <paramref name="info"/>.ByteLength bytes.</summary>
    byte[] Decode(ReadOnlySpan<byte> stored, TensorInfo info);
}
