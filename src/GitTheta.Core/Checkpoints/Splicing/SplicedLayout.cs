using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Splicing;

/// <summary>
/// The container of a format that keeps its file as is apart from tensor data: the file with every
/// group's bytes cut out (the skeleton), where each group goes back in, and a few format-specific
/// bytes. Writing the skeleton with the groups spliced back in (and the CRC-32 fields, kept as zeros,
/// recomputed from them) gives the file byte for byte.
/// </summary>
/// <remarks>
/// Serialized as: "GTSL", version 1, the format name, the groups (name, dtype, shape, position,
/// CRC positions), the extra bytes, the skeleton; integers as unsigned LEB128 varints. Deterministic:
/// the same file always gives the same container, so an unchanged file reuses its container object.
/// </remarks>
internal sealed class SplicedLayout
{
    private const int Version = 1;
    private const int MaxRank = 64;
    private static readonly byte[] Magic = "GTSL"u8.ToArray();

    public SplicedLayout(string format, IReadOnlyList<SplicedGroup> groups, ReadOnlyMemory<byte> skeleton, ReadOnlyMemory<byte> extra)
    {
        Format = format;
        Groups = groups;
        Skeleton = skeleton;
        Extra = extra;
    }

    public string Format { get; }

    /// <summary>In file order, which is the order <see cref="SplicedWriter"/> asks for their data.</summary>
    public IReadOnlyList<SplicedGroup> Groups { get; }

    public ReadOnlyMemory<byte> Skeleton { get; }

    /// <summary>Bytes the format needs beyond the skeleton (empty for most).</summary>
    public ReadOnlyMemory<byte> Extra { get; }

    /// <summary>
    /// The layout of a file whose groups lie at <paramref name="ranges"/> (file order) and whose other bytes,
    /// in file order, are <paramref name="skeleton"/>. CRC fields are cleared: they are recomputed from the
    /// data on write (and were checked on read), so a file whose tensor values change keeps its container.
    /// </summary>
    public static SplicedLayout FromFile(string format, IReadOnlyList<SplicedRange> ranges, byte[] skeleton, ReadOnlyMemory<byte> extra)
    {
        // removedBefore[i]: group bytes of ranges[0..i), which a file offset after them loses in the skeleton.
        var removedBefore = new long[ranges.Count + 1];
        for (var i = 0; i < ranges.Count; i++)
        {
            removedBefore[i + 1] = removedBefore[i] + ranges[i].StoredLength;
        }

        long ToSkeleton(long fileOffset)
        {
            int low = 0, high = ranges.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (ranges[middle].End <= fileOffset)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return fileOffset - removedBefore[low];
        }

        var groups = new List<SplicedGroup>(ranges.Count);
        for (var i = 0; i < ranges.Count; i++)
        {
            groups.Add(new SplicedGroup(ranges[i].Info, ranges[i].Offset - removedBefore[i], ranges[i].Crc32At.Select(ToSkeleton).ToList()));
        }

        foreach (var at in groups.SelectMany(g => g.Crc32At))
        {
            skeleton.AsSpan((int)at, 4).Clear();
        }

        return new SplicedLayout(format, groups, skeleton, extra);
    }

    public byte[] Serialize()
    {
        var output = new MemoryStream();
        output.Write(Magic);
        WriteVarint(output, Version);
        WriteString(output, Format);
        WriteVarint(output, (ulong)Groups.Count);
        foreach (var group in Groups)
        {
            WriteString(output, group.Info.Name);
            WriteString(output, DTypes.Name(group.Info.DType));
            WriteVarint(output, (ulong)group.Info.Shape.Count);
            foreach (var dim in group.Info.Shape)
            {
                WriteVarint(output, (ulong)dim);
            }

            WriteVarint(output, (ulong)group.Position);
            WriteVarint(output, (ulong)group.Crc32At.Count);
            foreach (var position in group.Crc32At)
            {
                WriteVarint(output, (ulong)position);
            }
        }

        WriteVarint(output, (ulong)Extra.Length);
        output.Write(Extra.Span);
        WriteVarint(output, (ulong)Skeleton.Length);
        output.Write(Skeleton.Span);
        return output.ToArray();
    }

    /// <summary>Parses and checks a stored container; anything inconsistent is a corrupt object.</summary>
    public static SplicedLayout Parse(ReadOnlyMemory<byte> container, string format, string path)
    {
        var reader = new Reader(container, path);
        if (container.Length < Magic.Length || !container.Span[..Magic.Length].SequenceEqual(Magic))
        {
            throw reader.Corrupt("it does not start with the spliced-container signature");
        }

        reader.Position = Magic.Length;
        var version = reader.Varint();
        if (version != Version)
        {
            throw reader.Corrupt($"version {version} is not one this git-theta writes");
        }

        var storedFormat = reader.String();
        if (storedFormat != format)
        {
            throw reader.Corrupt($"it belongs to format '{storedFormat}', not '{format}'");
        }

        // Each group takes at least 6 bytes, so a count the bytes cannot back is refused before allocating.
        var count = reader.Count(6);
        var groups = new List<SplicedGroup>((int)count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        long previous = 0;
        for (var i = 0L; i < count; i++)
        {
            var name = reader.String();
            var dtypeName = reader.String();
            if (!DTypes.TryParse(dtypeName, out var dtype))
            {
                throw reader.Corrupt($"group '{name}' has unknown dtype '{dtypeName}'");
            }

            var rank = reader.Count(1);
            if (rank > MaxRank)
            {
                throw reader.Corrupt($"group '{name}' has {rank} dimensions");
            }

            var shape = new long[rank];
            for (var d = 0; d < shape.Length; d++)
            {
                shape[d] = reader.Long();
            }

            var position = reader.Long();
            var crcs = new long[reader.Count(1)];
            for (var c = 0; c < crcs.Length; c++)
            {
                crcs[c] = reader.Long();
            }

            if (!names.Add(name) || position < previous)
            {
                throw reader.Corrupt($"group '{name}' is repeated or out of order");
            }

            previous = position;
            TensorInfo info;
            try
            {
                info = new TensorInfo(name, dtype, shape);
                _ = info.ByteLength;
            }
            catch (Exception e) when (e is ThetaException or OverflowException)
            {
                throw reader.Corrupt($"group '{name}' has an impossible shape");
            }

            groups.Add(new SplicedGroup(info, position, crcs));
        }

        var extra = reader.Slice(reader.Long());
        var skeletonLength = reader.Long();
        var skeleton = reader.Slice(skeletonLength);
        if (reader.Position != container.Length)
        {
            throw reader.Corrupt("bytes follow the skeleton");
        }

        foreach (var group in groups)
        {
            if (group.Position > skeletonLength || group.Crc32At.Any(p => p > skeletonLength - 4))
            {
                throw reader.Corrupt($"group '{group.Info.Name}' points outside the skeleton");
            }
        }

        return new SplicedLayout(format, groups, skeleton, extra);
    }

    private static void WriteString(Stream output, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    private sealed class Reader
    {
        private readonly ReadOnlyMemory<byte> bytes;
        private readonly string path;

        public Reader(ReadOnlyMemory<byte> bytes, string path)
        {
            this.bytes = bytes;
            this.path = path;
        }

        public int Position { get; set; }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (Position >= bytes.Length)
                {
                    throw Corrupt("it ends early");
                }

                var b = bytes.Span[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw Corrupt("it holds an overlong number");
        }

        public long Long()
        {
            var value = Varint();
            return value <= long.MaxValue ? (long)value : throw Corrupt("it holds a number out of range");
        }

        /// <summary>A count of items that take at least <paramref name="minimumBytes"/> each.</summary>
        public long Count(int minimumBytes)
        {
            var count = Long();
            return count <= (bytes.Length - Position) / minimumBytes ? count : throw Corrupt("it claims more items than it holds");
        }

        public string String()
        {
            var slice = Slice(Long());
            try
            {
                return new UTF8Encoding(false, true).GetString(slice.Span);
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt("it holds invalid UTF-8");
            }
        }

        public ReadOnlyMemory<byte> Slice(long length)
        {
            if (length > bytes.Length - Position)
            {
                throw Corrupt("it ends early");
            }

            var slice = bytes.Slice(Position, (int)length);
            Position += (int)length;
            return slice;
        }

        public ThetaException Corrupt(string why) =>
            new(DiagnosticIds.CorruptObject, $"{path}: the stored checkpoint container is malformed ({why}); run 'git theta verify'.");
    }
}
