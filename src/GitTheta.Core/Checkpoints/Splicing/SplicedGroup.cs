using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// One parameter group in a <see cref="SplicedLayout"/>: its data goes in at <see cref="Position"/> of
/// the skeleton, and the CRC-32 of that data is written (little-endian) at each of <see cref="Crc32At"/>.
/// Positions are skeleton offsets, that is file offsets minus the group bytes before them.
/// </summary>
internal sealed record SplicedGroup(TensorInfo Info, long Position, IReadOnlyList<long> Crc32At);
