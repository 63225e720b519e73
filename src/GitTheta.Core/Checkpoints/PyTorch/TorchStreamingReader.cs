using System.Buffers.Binary;
using System.IO.Hashing;
using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// Reads a torch.save archive from a pipe in one forward pass, without copying it to a temp file:
/// data.pkl comes first, so the groups are known before any storage arrives, and torch.save writes the
/// storages in key order, which is the order promised in <see cref="Tensors"/>. A storage that arrives out
/// of that order is set aside in a temp file until its turn. Every non-tensor byte is kept; at the end the
/// central directory is checked against what was read with the same code that reads a spooled archive
/// (<see cref="TorchArchive.FindGroups"/> over a <see cref="SkeletonView"/>). An archive this reader cannot
/// take in one pass before the first storage (data.pkl not first, a compressed entry) is spooled instead.
/// </summary>
internal sealed class TorchStreamingReader : ICheckpointReader
{
    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint DescriptorSignature = 0x08074b50;
    private const int LocalHeaderLength = 30;
    private const ushort DataDescriptorFlag = 0x0008;
    private const ushort EncryptedFlag = 0x0001;

    private readonly ForwardReader input;
    private readonly MemoryStream skeleton;
    private readonly string folder;
    private readonly IReadOnlyDictionary<string, TorchStorageRef> storages;
    private readonly IReadOnlyDictionary<string, TensorInfo> groups;
    private readonly IReadOnlyList<string> order;
    private readonly string path;
    private readonly Crc32 crc = new();
    private readonly List<(long Offset, long Length, string Key)> holes = new();
    private readonly Dictionary<string, long> setAside = new(StringComparer.Ordinal);
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private FileStream? reorderSpool;
    private int next;
    private long remaining;
    private LocalEntry? streaming;
    private long spoolPosition = -1;

    private TorchStreamingReader(ForwardReader input, MemoryStream skeleton, string folder, IReadOnlyDictionary<string, TorchStorageRef> storages, IReadOnlyDictionary<string, TensorInfo> groups, string path)
    {
        this.input = input;
        this.skeleton = skeleton;
        this.folder = folder;
        this.storages = storages;
        this.groups = groups;
        this.path = path;
        order = groups.Keys.Order(StringComparer.Ordinal).ToList();
        Tensors = order.Select(k => groups[k]).ToList();
    }

    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>A reader for <paramref name="input"/>: streaming when the archive allows it, else over a spooled copy.</summary>
    public static ICheckpointReader Open(Stream input, string path)
    {
        var reader = new ForwardReader(input);
        TorchArchive.CheckStart(reader.Peek(TorchArchive.LegacyMagic.Length), path);
        var skeleton = new MemoryStream();
        if (ReadPickle(reader, skeleton, path) is { } pickle)
        {
            var (storages, groups) = TorchArchive.ReadPickle(pickle.Bytes, path);
            return new TorchStreamingReader(reader, skeleton, pickle.Folder, storages, groups, path);
        }

        // Everything consumed so far is in the skeleton buffer: replay it before the rest.
        skeleton.Position = 0;
        return PyTorchFormat.OpenSpooled(new ConcatenatedStream(skeleton, reader.Rest()), path);
    }

    public TensorInfo? Next()
    {
        if (remaining != 0)
        {
            throw new InvalidOperationException("The previous tensor's data was not read fully.");
        }

        FinishStreamed();
        spoolPosition = -1;
        if (next == order.Count)
        {
            return null;
        }

        var key = order[next++];
        var info = groups[key];
        remaining = info.ByteLength;
        if (setAside.TryGetValue(key, out var at))
        {
            spoolPosition = at;
            return info;
        }

        while (true)
        {
            var entry = ReadLocalHeader() ?? throw Invalid($"{TorchArchive.PickleName} refers to storage '{key}' but the archive has no entry {folder}data/{key}");
            if (entry.StorageKey is not { } found || !groups.ContainsKey(found))
            {
                CopyEntry(entry);
                continue;
            }

            if (!seen.Add(found))
            {
                throw Invalid($"entry '{entry.Name}' appears twice");
            }

            holes.Add((input.Position, entry.Size, found));
            if (found == key)
            {
                streaming = entry;
                crc.Reset();
                return info;
            }

            SetAside(entry, found);
        }
    }

    public int ReadData(Span<byte> destination)
    {
        if (remaining == 0 || destination.Length == 0)
        {
            return 0;
        }

        var take = (int)Math.Min(destination.Length, remaining);
        var chunk = destination[..take];
        if (spoolPosition >= 0)
        {
            RandomAccess.Read(reorderSpool!.SafeFileHandle, chunk, spoolPosition);
            spoolPosition += take;
        }
        else
        {
            if (!input.TryReadExactly(chunk))
            {
                throw Truncated($"the file ends inside tensor '{groups[order[next - 1]].Name}'");
            }

            crc.Append(chunk);
        }

        remaining -= take;
        return take;
    }

    public byte[] Complete()
    {
        if (next != order.Count || remaining != 0)
        {
            throw new InvalidOperationException("Complete() before every tensor was read.");
        }

        FinishStreamed();
        while (ReadLocalHeader() is { } entry)
        {
            if (entry.StorageKey is { } key && groups.ContainsKey(key))
            {
                throw Invalid($"entry '{entry.Name}' appears twice");
            }

            CopyEntry(entry);
        }

        // The central directory and end records.
        CopyRestToSkeleton();
        var bytes = skeleton.ToArray();
        var read = holes.OrderBy(h => h.Offset).ToList();
        var view = new SkeletonView(bytes, read.Select(h => (h.Offset, h.Length)).ToList());
        var ranges = TorchArchive.FindGroups(view, path);
        var consistent = ranges.Count == read.Count && ranges.Zip(read).All(p =>
            p.First.Offset == p.Second.Offset && p.First.StoredLength == p.Second.Length
            && p.First.Info.Name == groups[p.Second.Key].Name && p.First.Info.SameLayout(groups[p.Second.Key]));
        if (!consistent)
        {
            throw Invalid("its central directory does not describe the entries as they are laid out");
        }

        return SplicedLayout.FromFile(PyTorchFormat.FormatName, ranges, bytes, ReadOnlyMemory<byte>.Empty).Serialize();
    }

    public void Dispose() => reorderSpool?.Dispose();

    /// <summary>
    /// Reads the first entry, which torch.save makes <c>&lt;archive&gt;/data.pkl</c>, into the skeleton; null
    /// when the archive does not start that way (or ends early), which the spooled reader then explains.
    /// </summary>
    private static (string Folder, byte[] Bytes)? ReadPickle(ForwardReader input, MemoryStream skeleton, string path)
    {
        var entry = ReadLocalHeader(input, skeleton, folder: null, path);
        if (entry is null || (entry.Flags & EncryptedFlag) != 0 || entry.Method != 0)
        {
            return null;
        }

        var slash = entry.Name.IndexOf('/', StringComparison.Ordinal);
        var folder = slash < 0 ? string.Empty : entry.Name[..(slash + 1)];
        if (entry.Name != folder + TorchArchive.PickleName)
        {
            return null;
        }

        var start = (int)skeleton.Length;
        var size = entry.HasDescriptor ? FindDescriptor(input, skeleton, entry) : CopyExactly(input, skeleton, entry.Size) ? entry.Size : -1;
        return size < 0 ? null : (folder, skeleton.GetBuffer().AsSpan(start, (int)size).ToArray());
    }

    /// <summary>
    /// Copies an entry of unknown size (data descriptor, sizes not in the local header) into the skeleton up to
    /// the end of its descriptor: the first PK\x07\x08 followed by the CRC-32 and the size of the bytes before it.
    /// Returns the data size, or -1 when the stream ends or the entry outgrows the container limit first.
    /// </summary>
    private static long FindDescriptor(ForwardReader input, MemoryStream skeleton, LocalEntry entry)
    {
        var start = skeleton.Length;
        var descriptorLength = entry.Zip64 ? 24 : 16;
        var searched = 0L;
        while (true)
        {
            var available = input.Peek(ForwardReader.BufferSize / 2);
            if (available.IsEmpty || skeleton.Length - start > SplicedReader.MaxSkeletonLength)
            {
                return -1;
            }

            var before = skeleton.Length;
            skeleton.Write(available);
            var data = skeleton.GetBuffer().AsSpan((int)start, (int)(skeleton.Length - start));
            for (var i = (int)Math.Max(0, searched - descriptorLength); i + descriptorLength <= data.Length; i++)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) != DescriptorSignature
                    || ReadSize(data[(i + 8)..], entry.Zip64) != (ulong)i || ReadSize(data[(i + 8 + (entry.Zip64 ? 8 : 4))..], entry.Zip64) != (ulong)i
                    || BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]) != Crc32.HashToUInt32(data[..i]))
                {
                    continue;
                }

                var end = start + i + descriptorLength;
                input.Consume((int)(end - before));
                skeleton.SetLength(end);
                return i;
            }

            searched = data.Length;
            input.Consume(available.Length);
        }
    }

    private static ulong ReadSize(ReadOnlySpan<byte> bytes, bool zip64) =>
        zip64 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private static bool CopyExactly(ForwardReader input, MemoryStream skeleton, long count)
    {
        if (count > SplicedReader.MaxSkeletonLength)
        {
            return false;
        }

        var buffer = new byte[(int)Math.Min(count, 1 << 20)];
        while (count > 0)
        {
            var read = input.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, count)));
            if (read == 0)
            {
                return false;
            }

            skeleton.Write(buffer, 0, read);
            count -= read;
        }

        return true;
    }

    private static LocalEntry? ReadLocalHeader(ForwardReader input, MemoryStream skeleton, string? folder, string path)
    {
        var fixedPart = input.Peek(LocalHeaderLength);
        if (fixedPart.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(fixedPart) != LocalHeaderSignature)
        {
            return null;
        }

        if (fixedPart.Length < LocalHeaderLength)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the zip archive is truncated (the file ends inside a local header); save the checkpoint again and add it again.");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[6..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[8..]);
        var headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[14..]);
        ulong size = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[22..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[26..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[28..]);
        var header = input.Peek(LocalHeaderLength + nameLength + extraLength);
        if (header.Length < LocalHeaderLength + nameLength + extraLength)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the zip archive is truncated (the file ends inside a local header); save the checkpoint again and add it again.");
        }

        string name;
        try
        {
            name = new System.Text.UTF8Encoding(false, true).GetString(header.Slice(LocalHeaderLength, nameLength));
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: not a valid PyTorch zip archive: an entry name is not valid UTF-8.");
        }

        var zip64 = Zip64Field(header.Slice(LocalHeaderLength + nameLength, extraLength));
        if (size == 0xFFFFFFFF && zip64.Length >= 8)
        {
            size = BinaryPrimitives.ReadUInt64LittleEndian(zip64);
        }

        var offset = input.Position;
        skeleton.Write(header[..(LocalHeaderLength + nameLength + extraLength)]);
        input.Consume(LocalHeaderLength + nameLength + extraLength);
        var storageKey = folder is not null && name.StartsWith(folder + "data/", StringComparison.Ordinal) ? name[(folder.Length + 5)..] : null;
        return new LocalEntry(name, offset, flags, method, headerCrc, (flags & DataDescriptorFlag) != 0 ? -1 : (long)Math.Min(size, long.MaxValue), zip64.Length > 0, storageKey);
    }

    private static ReadOnlySpan<byte> Zip64Field(ReadOnlySpan<byte> extra)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (length > extra.Length - 4)
            {
                break;
            }

            if (id == 0x0001)
            {
                return extra.Slice(4, length);
            }

            extra = extra[(4 + length)..];
        }

        return ReadOnlySpan<byte>.Empty;
    }

    /// <summary>The next local header (null at the central directory), with the size a storage entry must have.</summary>
    private LocalEntry? ReadLocalHeader()
    {
        var entry = ReadLocalHeader(input, skeleton, folder, path);
        if (entry is null)
        {
            if (input.Peek(4).Length < 4)
            {
                throw Truncated("the file ends before the central directory");
            }

            return null;
        }

        if (TorchScriptArchive.IsEntry(entry.Name))
        {
            throw TorchScriptArchive.NotSupported(path, entry.Name);
        }

        if ((entry.Flags & EncryptedFlag) != 0)
        {
            throw Invalid($"entry '{entry.Name}' is encrypted");
        }

        if (entry.Method != 0)
        {
            throw Invalid($"entry '{entry.Name}' is compressed; torch.save never compresses entries, so the archive was rewritten by another tool. Load it and save it again with torch.save");
        }

        if (entry.StorageKey is { } key && storages.TryGetValue(key, out var storage))
        {
            if (entry.Size >= 0 && entry.Size != storage.ByteLength)
            {
                throw Invalid($"storage '{key}' is {storage.StorageType}[{storage.ElementCount}] ({storage.ByteLength} bytes) but its entry {entry.Name} holds {entry.Size} bytes; the file is corrupt");
            }

            return entry with { Size = storage.ByteLength };
        }

        return entry;
    }

    /// <summary>Copies a non-tensor entry (data and descriptor) into the skeleton.</summary>
    private void CopyEntry(LocalEntry entry)
    {
        if (entry.Size < 0)
        {
            if (FindDescriptor(input, skeleton, entry) < 0)
            {
                throw Truncated($"the file ends inside entry '{entry.Name}' (or its data descriptor cannot be found)");
            }

            return;
        }

        if (!CopyExactly(input, skeleton, entry.Size))
        {
            throw entry.Size > SplicedReader.MaxSkeletonLength
                ? Invalid($"entry '{entry.Name}' is {entry.Size} bytes, more than git-theta keeps in a container")
                : Truncated($"the file ends inside entry '{entry.Name}'");
        }

        if (entry.HasDescriptor)
        {
            ReadDescriptor(entry);
        }
    }

    /// <summary>A storage that arrived before its turn: its data goes to a temp file, its descriptor to the skeleton.</summary>
    private void SetAside(LocalEntry entry, string key)
    {
        reorderSpool ??= new FileStream(
            Path.Combine(Path.GetTempPath(), $"gittheta-reorder-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        setAside[key] = reorderSpool.Length;
        reorderSpool.Position = reorderSpool.Length;
        var hash = new Crc32();
        var buffer = new byte[(int)Math.Min(entry.Size, 1 << 20)];
        for (var left = entry.Size; left > 0;)
        {
            var read = input.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, left)));
            if (read == 0)
            {
                throw Truncated($"the file ends inside tensor '{groups[key].Name}'");
            }

            hash.Append(buffer.AsSpan(0, read));
            reorderSpool.Write(buffer, 0, read);
            left -= read;
        }

        // Served later with positioned reads, which do not see the stream's buffer.
        reorderSpool.Flush();

        CheckCrc(entry, hash.GetCurrentHashAsUInt32(), groups[key].Name);
    }

    /// <summary>After a streamed storage: its data descriptor, and its CRC-32 against the one recorded.</summary>
    private void FinishStreamed()
    {
        if (streaming is null)
        {
            return;
        }

        var entry = streaming;
        streaming = null;
        CheckCrc(entry, crc.GetCurrentHashAsUInt32(), groups[entry.StorageKey!].Name);
    }

    private void CheckCrc(LocalEntry entry, uint actual, string tensor)
    {
        var recorded = entry.HasDescriptor ? ReadDescriptor(entry) : entry.HeaderCrc;
        if (recorded != actual || (entry.HasDescriptor && entry.HeaderCrc != 0 && entry.HeaderCrc != actual))
        {
            throw Invalid($"the data of '{tensor}' does not match the CRC-32 the file records for it; the file is corrupt. Re-save the checkpoint and add it again");
        }
    }

    /// <summary>Copies an entry's data descriptor into the skeleton and returns the CRC-32 it records.</summary>
    private uint ReadDescriptor(LocalEntry entry)
    {
        var sizeWidth = entry.Zip64 ? 8 : 4;
        var bytes = input.Peek(4 + 4 + (2 * sizeWidth));
        var signed = bytes.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(bytes) == DescriptorSignature;
        var length = (signed ? 4 : 0) + 4 + (2 * sizeWidth);
        if (bytes.Length < length)
        {
            throw Truncated($"the file ends inside the data descriptor of entry '{entry.Name}'");
        }

        var fields = bytes[(signed ? 4 : 0)..length];
        var recorded = BinaryPrimitives.ReadUInt32LittleEndian(fields);
        if (ReadSize(fields[4..], entry.Zip64) != (ulong)entry.Size || ReadSize(fields[(4 + sizeWidth)..], entry.Zip64) != (ulong)entry.Size)
        {
            throw Invalid($"the data descriptor of entry '{entry.Name}' disagrees with its size ({entry.Size} bytes)");
        }

        skeleton.Write(bytes[..length]);
        input.Consume(length);
        return recorded;
    }

    /// <summary>Copies the rest of the stream into the skeleton, within the container limit.</summary>
    private void CopyRestToSkeleton()
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            skeleton.Write(buffer, 0, read);
            if (skeleton.Length > SplicedReader.MaxSkeletonLength)
            {
                throw Invalid($"more than {SplicedReader.MaxSkeletonLength} bytes of it are not tensor data, more than git-theta keeps in a container");
            }
        }
    }

    private ThetaException Invalid(string what) => new(DiagnosticIds.InvalidCheckpoint, $"{path}: not a valid PyTorch zip archive: {what}.");

    private ThetaException Truncated(string what) =>
        new(DiagnosticIds.TruncatedCheckpoint, $"{path}: the zip archive is truncated ({what}); save the checkpoint again and add it again.");

    /// <summary>A local header as read from the stream; <see cref="Size"/> is -1 while unknown (data descriptor, not a storage).</summary>
    private sealed record LocalEntry(string Name, long Offset, ushort Flags, ushort Method, uint HeaderCrc, long Size, bool Zip64, string? StorageKey)
    {
        public bool HasDescriptor => (Flags & DataDescriptorFlag) != 0;
    }
}
