using System.Buffers.Binary;
using System.IO.Hashing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// Reads the groups a format found in a <see cref="SpooledFile"/>, in file order, and hands back the
/// rest of the file as a <see cref="SplicedLayout"/>. A group the file keeps a CRC-32 of is checked
/// against it as it is read: a file whose stored CRC is wrong could not be rebuilt byte for byte.
/// A group stored encoded (ONNX typed fields) is read whole and decoded before it is handed out.
/// </summary>
internal sealed class SplicedReader : ICheckpointReader
{
    /// <summary>The non-tensor part is kept in memory on clean and smudge; larger is refused, not risked.</summary>
    public const long MaxSkeletonLength = 256L << 20;

    private readonly SpooledFile file;
    private readonly string format;
    private readonly IReadOnlyList<SplicedRange> ranges;
    private readonly ReadOnlyMemory<byte> extra;
    private readonly string path;
    private readonly Crc32 crc = new();
    private readonly long[] groupBytesBefore;
    private int next;
    private long position;
    private long remaining;
    private byte[]? decoded;

    /// <param name="ranges">The groups in file order; they must not overlap and must lie inside the file.</param>
    public SplicedReader(SpooledFile file, string format, IReadOnlyList<SplicedRange> ranges, ReadOnlyMemory<byte> extra, string path)
    {
        this.file = file;
        this.format = format;
        this.ranges = ranges;
        this.extra = extra;
        this.path = path;
        long end = 0;
        long groupBytes = 0;
        groupBytesBefore = new long[ranges.Count + 1];
        for (var i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            if (range.Offset < end || range.End > file.Length)
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: the data of '{range.Info.Name}' overlaps another tensor or lies outside the file.");
            }

            end = range.End;
            groupBytes += range.StoredLength;
            groupBytesBefore[i + 1] = groupBytes;
        }

        if (file.Length - groupBytes > MaxSkeletonLength)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: {file.Length - groupBytes} bytes of the file are not tensor data, more than the {MaxSkeletonLength}-byte limit git-theta keeps in one container; store the file with plain git-lfs.");
        }

        Tensors = ranges.Select(r => r.Info).ToList();
    }

    public IReadOnlyList<TensorInfo> Tensors { get; }

    public TensorInfo? Next()
    {
        if (remaining != 0)
        {
            throw new InvalidOperationException("The previous tensor's data was not read fully.");
        }

        if (next == ranges.Count)
        {
            return null;
        }

        var range = ranges[next++];
        position = range.Offset;
        remaining = range.Info.ByteLength;
        decoded = null;
        if (range.Decoder is { } decoder)
        {
            decoded = decoder.Decode(file.ReadBytes(range.Offset, checked((int)range.StoredLength)), range.Info);
            position = 0;
        }

        crc.Reset();
        if (remaining == 0)
        {
            VerifyCrc(range);
        }

        return range.Info;
    }

    public int ReadData(Span<byte> destination)
    {
        if (remaining == 0 || destination.Length == 0)
        {
            return 0;
        }

        var range = ranges[next - 1];
        var take = (int)Math.Min(destination.Length, remaining);
        var chunk = destination[..take];
        if (decoded is not null)
        {
            decoded.AsSpan((int)position, take).CopyTo(chunk);
        }
        else
        {
            file.Read(position, chunk);
        }

        if (range.Crc32At.Count > 0)
        {
            crc.Append(chunk);
        }

        position += take;
        remaining -= take;
        if (remaining == 0)
        {
            VerifyCrc(range);
        }

        return take;
    }

    public byte[] Complete()
    {
        if (next != ranges.Count || remaining != 0)
        {
            throw new InvalidOperationException("Complete() before every tensor was read.");
        }

        var skeleton = GC.AllocateUninitializedArray<byte>((int)(file.Length - groupBytesBefore[^1]));
        long fileAt = 0;
        var skeletonAt = 0;
        foreach (var range in ranges)
        {
            var gap = (int)(range.Offset - fileAt);
            file.Read(fileAt, skeleton.AsSpan(skeletonAt, gap));
            skeletonAt += gap;
            fileAt = range.End;
        }

        file.Read(fileAt, skeleton.AsSpan(skeletonAt));
        return SplicedLayout.FromFile(format, ranges, skeleton, extra).Serialize();
    }

    public void Dispose() => file.Dispose();

    /// <summary>Where a file offset outside every group of <paramref name="ranges"/> (in file order) lands in the skeleton.</summary>
    public static long SkeletonOffset(IReadOnlyList<SplicedRange> ranges, long fileOffset) =>
        fileOffset - ranges.TakeWhile(r => r.End <= fileOffset).Sum(r => r.StoredLength);

    private void VerifyCrc(SplicedRange range)
    {
        if (range.Crc32At.Count == 0)
        {
            return;
        }

        var actual = crc.GetCurrentHashAsUInt32();
        Span<byte> stored = stackalloc byte[4];
        foreach (var at in range.Crc32At)
        {
            file.Read(at, stored);
            if (BinaryPrimitives.ReadUInt32LittleEndian(stored) != actual)
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: the data of '{range.Info.Name}' does not match the CRC-32 the file records for it; the file is corrupt. Re-save the checkpoint and add it again.");
            }
        }
    }
}
