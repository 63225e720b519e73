using System.Buffers.Binary;
using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// The entries of a zip archive as torch.save writes it (stored entries, 64-byte aligned through
/// extra fields, data descriptors, zip64 end records), read from the central directory like
/// PyTorch's own reader does, and checked against every local header. The archive's bytes are not
/// rewritten: this only finds where each entry's data is. Any claim that does not fit in the file
/// (an entry larger than what is left, a directory past the end) is refused before it is used.
/// </summary>
internal sealed class ZipDirectory
{
    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint DescriptorSignature = 0x08074b50;
    private const int EndLength = 22;
    private const int CentralHeaderLength = 46;
    private const ushort Zip64ExtraId = 0x0001;
    private const ushort DataDescriptorFlag = 0x0008;
    private const ushort EncryptedFlag = 0x0001;

    private readonly IByteSource file;
    private readonly string path;

    /// <summary>Reads local headers and data descriptors; its slices share one buffer (entries come in file order).</summary>
    private FileCursor? entryReader;

    private ZipDirectory(IByteSource file, string path)
    {
        this.file = file;
        this.path = path;
    }

    /// <summary>In central-directory order.</summary>
    public IReadOnlyList<ZipEntry> Entries { get; private set; } = Array.Empty<ZipEntry>();

    public static ZipDirectory Read(IByteSource file, string path)
    {
        var directory = new ZipDirectory(file, path);
        directory.Parse();
        return directory;
    }

    private void Parse()
    {
        var (entryCount, directoryOffset, directoryEnd) = FindEnd();
        var cursor = new FileCursor(file, directoryOffset, directoryEnd, what => Invalid($"the central directory ends inside {what}"));
        entryReader = new FileCursor(file, 0, directoryOffset, what => Invalid($"an entry runs into the central directory inside {what}"));
        if (entryCount > (ulong)((directoryEnd - directoryOffset) / CentralHeaderLength))
        {
            throw Invalid($"the archive claims {entryCount} entries but its central directory has room for at most {(directoryEnd - directoryOffset) / CentralHeaderLength}");
        }

        var entries = new List<ZipEntry>((int)entryCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0UL; i < entryCount; i++)
        {
            var entry = ReadCentralEntry(cursor, directoryOffset);
            if (!names.Add(entry.Name))
            {
                throw Invalid($"entry '{entry.Name}' appears twice");
            }

            entries.Add(entry);
        }

        if (cursor.Position != directoryEnd)
        {
            throw Invalid("the central directory holds more than its entries");
        }

        long previousEnd = 0;
        foreach (var entry in entries.OrderBy(e => e.LocalHeaderOffset))
        {
            if (entry.LocalHeaderOffset < previousEnd)
            {
                throw Invalid($"entry '{entry.Name}' overlaps the entry before it");
            }

            previousEnd = entry.End;
        }

        if (previousEnd > directoryOffset)
        {
            throw Invalid("the last entry runs into the central directory");
        }

        Entries = entries;
    }

    /// <summary>Finds the end of central directory record (and its zip64 form): entry count and directory extent.</summary>
    private (ulong Entries, long DirectoryOffset, long DirectoryEnd) FindEnd()
    {
        if (file.Length < EndLength)
        {
            throw Truncated("the file is too short to be a zip archive");
        }

        var tailLength = (int)Math.Min(file.Length, EndLength + ushort.MaxValue);
        var tail = file.ReadBytes(file.Length - tailLength, tailLength);
        var end = -1L;
        for (var i = tailLength - EndLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature
                && BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength - i - EndLength)
            {
                end = file.Length - tailLength + i;
                break;
            }
        }

        if (end < 0)
        {
            throw Truncated("the end of central directory record is missing");
        }

        var record = tail.AsSpan((int)(end - (file.Length - tailLength)));
        var disk = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
        var directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
        ulong entries = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        ulong directorySize = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        ulong directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        if (disk != 0 || directoryDisk != 0 || BinaryPrimitives.ReadUInt16LittleEndian(record[8..]) != entries)
        {
            throw Invalid("it spans several disks");
        }

        var directoryEnd = end;
        if (end >= 20 && ReadUInt32(end - 20) == Zip64LocatorSignature)
        {
            var locator = file.ReadBytes(end - 20, 20);
            var zip64End = BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator.AsSpan(4)) != 0 || BinaryPrimitives.ReadUInt32LittleEndian(locator.AsSpan(16)) > 1)
            {
                throw Invalid("it spans several disks");
            }

            if (zip64End > (ulong)(end - 20 - 56) || ReadUInt32((long)zip64End) != Zip64EndSignature)
            {
                throw Invalid("the zip64 end of central directory record is missing or misplaced");
            }

            var zip64 = file.ReadBytes((long)zip64End, 56);
            var recordSize = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(4));
            if (recordSize != (ulong)(end - 20 - (long)zip64End - 12))
            {
                throw Invalid("the zip64 end of central directory record has an inconsistent size");
            }

            var zip64Entries = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32));
            var zip64Size = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(40));
            var zip64Offset = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(48));
            if (BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(24)) != zip64Entries
                || (entries != 0xFFFF && entries != zip64Entries)
                || (directorySize != 0xFFFFFFFF && directorySize != zip64Size)
                || (directoryOffset != 0xFFFFFFFF && directoryOffset != zip64Offset))
            {
                throw Invalid("the zip64 and classic end of central directory records disagree");
            }

            entries = zip64Entries;
            directorySize = zip64Size;
            directoryOffset = zip64Offset;
            directoryEnd = (long)zip64End;
        }

        if (directoryOffset > (ulong)directoryEnd || directorySize != (ulong)directoryEnd - directoryOffset)
        {
            throw Invalid($"the central directory claims {directorySize} bytes at offset {directoryOffset}, which does not end where the end record begins ({directoryEnd})");
        }

        return (entries, (long)directoryOffset, directoryEnd);
    }

    private ZipEntry ReadCentralEntry(FileCursor cursor, long directoryOffset)
    {
        var at = cursor.Position;
        if (cursor.ReadUInt32("a central directory record") != CentralHeaderSignature)
        {
            throw Invalid($"the central directory record at byte {at} has a wrong signature");
        }

        cursor.Skip(4, "a central directory record");
        var flags = cursor.ReadUInt16("a central directory record");
        var method = cursor.ReadUInt16("a central directory record");
        cursor.Skip(4, "a central directory record");
        var crc = cursor.ReadUInt32("a central directory record");
        ulong compressed = cursor.ReadUInt32("a central directory record");
        ulong size = cursor.ReadUInt32("a central directory record");
        var nameLength = cursor.ReadUInt16("a central directory record");
        var extraLength = cursor.ReadUInt16("a central directory record");
        var commentLength = cursor.ReadUInt16("a central directory record");
        var disk = cursor.ReadUInt16("a central directory record");
        cursor.Skip(6, "a central directory record");
        ulong offset = cursor.ReadUInt32("a central directory record");
        var nameBytes = cursor.ReadBytes(nameLength, "an entry name");
        var extra = cursor.ReadBytes(extraLength, "an extra field");
        cursor.Skip(commentLength, "an entry comment");
        var name = DecodeName(nameBytes);

        var zip64 = FindExtra(extra, Zip64ExtraId);
        var z = 0;
        ulong Zip64Value(ulong value)
        {
            if (value != 0xFFFFFFFF)
            {
                return value;
            }

            if (zip64.Length < z + 8)
            {
                throw Invalid($"entry '{name}' lacks the zip64 field its sizes require");
            }

            var wide = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(z));
            z += 8;
            return wide;
        }

        size = Zip64Value(size);
        compressed = Zip64Value(compressed);
        offset = Zip64Value(offset);
        if (disk == 0xFFFF)
        {
            throw Invalid("it spans several disks");
        }

        if (TorchScriptArchive.IsEntry(name))
        {
            throw TorchScriptArchive.NotSupported(path, name);
        }

        if ((flags & EncryptedFlag) != 0)
        {
            throw Invalid($"entry '{name}' is encrypted");
        }

        if (method != 0 || compressed != size)
        {
            throw Invalid($"entry '{name}' is compressed; torch.save never compresses entries, so the archive was rewritten by another tool. Load it and save it again with torch.save");
        }

        if (offset > (ulong)directoryOffset)
        {
            throw Invalid($"entry '{name}' starts at byte {offset}, past the entries (which end at {directoryOffset})");
        }

        return ReadLocalHeader(name, nameBytes, (long)offset, flags, size, crc, at + 16, directoryOffset);
    }

    private ZipEntry ReadLocalHeader(string name, byte[] nameBytes, long offset, ushort flags, ulong size, uint crc, long centralCrcAt, long directoryOffset)
    {
        var cursor = entryReader!.Slice(offset, directoryOffset, what => Invalid($"entry '{name}' runs into the central directory inside {what}"));
        if (cursor.ReadUInt32("its local header") != LocalHeaderSignature)
        {
            throw Invalid($"entry '{name}' has no local header at byte {offset}");
        }

        cursor.Skip(2, "its local header");
        var localFlags = cursor.ReadUInt16("its local header");
        var localMethod = cursor.ReadUInt16("its local header");
        cursor.Skip(4, "its local header");
        var localCrcAt = cursor.Position;
        var localCrc = cursor.ReadUInt32("its local header");
        ulong localCompressed = cursor.ReadUInt32("its local header");
        ulong localSize = cursor.ReadUInt32("its local header");
        var nameLength = cursor.ReadUInt16("its local header");
        var extraLength = cursor.ReadUInt16("its local header");
        var localName = cursor.ReadBytes(nameLength, "its local header");
        var extra = cursor.ReadBytes(extraLength, "its local header");
        if (localMethod != 0 || localFlags != flags || !localName.AsSpan().SequenceEqual(nameBytes))
        {
            throw Invalid($"the local header of entry '{name}' disagrees with the central directory");
        }

        var zip64 = FindExtra(extra, Zip64ExtraId);
        var dataOffset = cursor.Position;
        if (size > (ulong)(directoryOffset - dataOffset))
        {
            throw Invalid($"entry '{name}' claims {size} bytes but only {directoryOffset - dataOffset} bytes of entries remain in the file; the archive is truncated or forged");
        }

        var crcAt = new List<long> { centralCrcAt };
        var hasDescriptor = (flags & DataDescriptorFlag) != 0;
        if (!hasDescriptor || localCrc != 0)
        {
            crcAt.Add(localCrcAt);
        }

        if (!hasDescriptor)
        {
            if (zip64.Length >= 16 && localSize == 0xFFFFFFFF)
            {
                localSize = BinaryPrimitives.ReadUInt64LittleEndian(zip64);
                localCompressed = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(8));
            }

            if (localCrc != crc || localSize != size || localCompressed != size)
            {
                throw Invalid($"the local header of entry '{name}' disagrees with the central directory about its size or CRC");
            }

            return new ZipEntry(name, offset, dataOffset, (long)size, crc, crcAt, dataOffset + (long)size);
        }

        var descriptorAt = dataOffset + (long)size;
        var descriptor = entryReader!.Slice(descriptorAt, directoryOffset, what => Invalid($"entry '{name}' runs into the central directory inside {what}"));
        var first = descriptor.ReadUInt32("its data descriptor");
        var descriptorCrcAt = descriptorAt;
        if (first == DescriptorSignature)
        {
            descriptorCrcAt += 4;
            first = descriptor.ReadUInt32("its data descriptor");
        }

        var wide = zip64.Length > 0;
        ulong descriptorCompressed = wide ? descriptor.ReadUInt64("its data descriptor") : descriptor.ReadUInt32("its data descriptor");
        ulong descriptorSize = wide ? descriptor.ReadUInt64("its data descriptor") : descriptor.ReadUInt32("its data descriptor");
        if (first != crc || descriptorCompressed != size || descriptorSize != size)
        {
            throw Invalid($"the data descriptor of entry '{name}' disagrees with the central directory");
        }

        crcAt.Add(descriptorCrcAt);
        return new ZipEntry(name, offset, dataOffset, (long)size, crc, crcAt, descriptor.Position);
    }

    private static byte[] FindExtra(byte[] extra, ushort id)
    {
        var span = extra.AsSpan();
        while (span.Length >= 4)
        {
            var fieldId = BinaryPrimitives.ReadUInt16LittleEndian(span);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
            if (length > span.Length - 4)
            {
                return Array.Empty<byte>();
            }

            if (fieldId == id)
            {
                return span.Slice(4, length).ToArray();
            }

            span = span[(4 + length)..];
        }

        return Array.Empty<byte>();
    }

    private string DecodeName(byte[] bytes)
    {
        try
        {
            return new System.Text.UTF8Encoding(false, true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw Invalid("an entry name is not valid UTF-8");
        }
    }

    private uint ReadUInt32(long offset)
    {
        Span<byte> bytes = stackalloc byte[4];
        file.Read(offset, bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    private ThetaException Invalid(string what) =>
        new(DiagnosticIds.InvalidCheckpoint, $"{path}: not a valid PyTorch zip archive: {what}.");

    private ThetaException Truncated(string what) =>
        new(DiagnosticIds.TruncatedCheckpoint, $"{path}: the zip archive is truncated ({what}); save the checkpoint again and add it again.");
}
