namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// A stored (uncompressed) zip entry: where its data lies, and every place the archive records the
/// data's CRC-32 (central directory always; the local header or the data descriptor, whichever holds it).
/// <see cref="End"/> is where the entry ends, data descriptor included.
/// </summary>
internal sealed record ZipEntry(string Name, long LocalHeaderOffset, long DataOffset, long Size, uint Crc32, IReadOnlyList<long> Crc32At, long End)
{
    public long DataEnd => DataOffset + Size;
}
