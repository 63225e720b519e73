using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Gguf;

/// <summary>
/// Reads a GGUF file's header (version 2 or 3, little-endian): the key-value metadata (only
/// <c>general.alignment</c> is interpreted), the tensor infos, and from them where each tensor's
/// data lies. Every count and length is checked against the bytes the file has left before it is
/// used, so a header claiming 2^40 tensors or a tensor past the end of the file is refused at once.
/// </summary>
/// <remarks>
/// A tensor of a float or integer GGML type is a group of that dtype with the GGUF dimensions in
/// row-major order (ne[n-1], …, ne[0]). A quantized tensor is a U8 group of its raw blocks, shaped
/// (ne[n-1], …, ne[1], bytes per row); its GGML type stays in the header, which is in the container.
/// </remarks>
internal sealed class GgufHeaderParser
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const uint DefaultAlignment = 32;
    private const int MaxDimensions = 4;
    private const int MaxNesting = 8;

    // Value types of the key-value metadata.
    private const uint TypeUInt8 = 0, TypeInt8 = 1, TypeUInt16 = 2, TypeInt16 = 3, TypeUInt32 = 4, TypeInt32 = 5, TypeFloat32 = 6;
    private const uint TypeBool = 7, TypeString = 8, TypeArray = 9, TypeUInt64 = 10, TypeInt64 = 11, TypeFloat64 = 12;

    private readonly SpooledFile file;
    private readonly string path;
    private readonly FileCursor cursor;

    private GgufHeaderParser(SpooledFile file, string path)
    {
        this.file = file;
        this.path = path;
        cursor = new FileCursor(file, 0, file.Length, what => new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the GGUF file ends inside {what}; it is truncated."));
    }

    public static IReadOnlyList<SplicedRange> FindGroups(SpooledFile file, string path) => new GgufHeaderParser(file, path).Parse();

    private List<SplicedRange> Parse()
    {
        if (file.Length == 0)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file is empty, not a GGUF model.");
        }

        if (cursor.ReadUInt32("the magic number") != Magic)
        {
            throw Invalid("it does not start with the GGUF magic number");
        }

        var version = cursor.ReadUInt32("the version");
        if (version is not (2 or 3))
        {
            throw Invalid((version & 0xFFFF) == 0 && version != 0
                ? "it is a big-endian GGUF file, which git-theta does not read; convert it to little-endian"
                : $"it is GGUF version {version}; git-theta reads versions 2 and 3 (re-save it with a current llama.cpp or gguf-py)");
        }

        var tensorCount = cursor.ReadUInt64("the tensor count");
        var keyCount = cursor.ReadUInt64("the metadata count");

        // The smallest key-value (empty key, a u8) is 13 bytes and the smallest tensor info 24 bytes;
        // a count the file cannot hold is refused before a single entry is read.
        CheckCount(keyCount, 13, "metadata entries");
        CheckCount(tensorCount, 24, "tensors");

        var alignment = DefaultAlignment;
        for (var i = 0UL; i < keyCount; i++)
        {
            var key = ReadString("a metadata key");
            var type = cursor.ReadUInt32($"the type of metadata '{key}'");
            if (key == "general.alignment")
            {
                if (type != TypeUInt32)
                {
                    throw Invalid("general.alignment is not a uint32");
                }

                alignment = cursor.ReadUInt32("general.alignment");
                if (alignment == 0 || (alignment & (alignment - 1)) != 0)
                {
                    throw Invalid($"general.alignment is {alignment}, not a power of two");
                }
            }
            else
            {
                SkipValue(type, key, 0);
            }
        }

        var infos = new List<(TensorInfo Info, ulong Offset, long Length)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0UL; i < tensorCount; i++)
        {
            var name = ReadString("a tensor name");
            if (!names.Add(name))
            {
                throw Invalid($"tensor '{name}' is declared twice");
            }

            var rank = cursor.ReadUInt32($"the dimensions of tensor '{name}'");
            if (rank > MaxDimensions)
            {
                throw Invalid($"tensor '{name}' has {rank} dimensions; GGML tensors have at most {MaxDimensions}");
            }

            var ne = new long[rank];
            for (var d = 0; d < ne.Length; d++)
            {
                var dim = cursor.ReadUInt64($"the dimensions of tensor '{name}'");
                ne[d] = dim <= long.MaxValue ? (long)dim : throw Invalid($"tensor '{name}' has a dimension of {dim}");
            }

            var typeId = cursor.ReadUInt32($"the type of tensor '{name}'");
            var type = GgmlType.Find(typeId) ?? throw new ThetaException(DiagnosticIds.UnsupportedDType, $"{path}: tensor '{name}' has GGML type {typeId}, which git-theta does not know; update git-theta or store the file with plain git-lfs.");
            var offset = cursor.ReadUInt64($"the offset of tensor '{name}'");
            var (info, length) = Describe(name, ne, type);
            if (offset % alignment != 0)
            {
                throw Invalid($"tensor '{name}' starts at data offset {offset}, which is not a multiple of the alignment {alignment}");
            }

            infos.Add((info, offset, length));
        }

        var dataStart = AlignUp(cursor.Position, alignment);
        if (dataStart > file.Length)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the GGUF file ends in the padding before its tensor data; it is truncated.");
        }

        var ranges = new List<SplicedRange>(infos.Count);
        foreach (var (info, offset, length) in infos.OrderBy(t => t.Offset))
        {
            if (offset > (ulong)(file.Length - dataStart) || length > file.Length - dataStart - (long)offset)
            {
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: tensor '{info.Name}' ({length} bytes at data offset {offset}) ends past the end of the file ({file.Length - dataStart} data bytes); the file is truncated or its header is corrupt.");
            }

            var start = dataStart + (long)offset;
            if (ranges.Count > 0 && start < ranges[^1].End)
            {
                throw Invalid($"tensor '{info.Name}' overlaps tensor '{ranges[^1].Info.Name}'");
            }

            ranges.Add(new SplicedRange(info, start));
        }

        var end = ranges.Count == 0 ? dataStart : ranges[^1].End;
        if (file.Length - end >= alignment)
        {
            throw Invalid($"{file.Length - end} bytes follow the last tensor, more than alignment padding");
        }

        return ranges;
    }

    private (TensorInfo Info, long Length) Describe(string name, long[] ne, GgmlType type)
    {
        if (type.IsQuantized && ne.Length == 0)
        {
            throw Invalid($"tensor '{name}' is a {type.Name} scalar, smaller than one block");
        }

        if (ne.Length > 0 && ne[0] % type.BlockSize != 0)
        {
            throw Invalid($"tensor '{name}' has {ne[0]} elements per row, not a multiple of the {type.Name} block size {type.BlockSize}");
        }

        // GGUF lists dimensions innermost first; row-major order reverses them.
        var shape = Enumerable.Reverse(ne).ToArray();
        try
        {
            if (type.IsQuantized)
            {
                shape[^1] = checked(ne[0] / type.BlockSize * type.TypeSize);
            }

            var info = new TensorInfo(name, type.DType ?? DType.U8, shape);
            return (info, info.ByteLength);
        }
        catch (Exception e) when (e is OverflowException or ThetaException)
        {
            throw Invalid($"tensor '{name}' has a shape too large to address");
        }
    }

    private void SkipValue(uint type, string key, int depth)
    {
        var what = $"metadata '{key}'";
        switch (type)
        {
            case TypeUInt8 or TypeInt8 or TypeBool:
                cursor.Skip(1, what);
                break;
            case TypeUInt16 or TypeInt16:
                cursor.Skip(2, what);
                break;
            case TypeUInt32 or TypeInt32 or TypeFloat32:
                cursor.Skip(4, what);
                break;
            case TypeUInt64 or TypeInt64 or TypeFloat64:
                cursor.Skip(8, what);
                break;
            case TypeString:
                cursor.Skip(StringLength(what), what);
                break;
            case TypeArray:
                if (depth >= MaxNesting)
                {
                    throw Invalid($"metadata '{key}' nests arrays more than {MaxNesting} deep");
                }

                var elementType = cursor.ReadUInt32(what);
                var count = cursor.ReadUInt64(what);
                var fixedSize = elementType switch
                {
                    TypeUInt8 or TypeInt8 or TypeBool => 1,
                    TypeUInt16 or TypeInt16 => 2,
                    TypeUInt32 or TypeInt32 or TypeFloat32 => 4,
                    TypeUInt64 or TypeInt64 or TypeFloat64 => 8,
                    _ => 0,
                };
                if (fixedSize > 0)
                {
                    if (count > (ulong)(cursor.Remaining / fixedSize))
                    {
                        throw Truncated($"metadata '{key}' claims {count} elements, more than the file holds");
                    }

                    cursor.Skip((long)count * fixedSize, what);
                    break;
                }

                // Strings take at least 8 bytes each, arrays at least 12: check before looping.
                CheckCount(count, elementType == TypeArray ? 12 : 8, $"elements in metadata '{key}'");
                for (var i = 0UL; i < count; i++)
                {
                    SkipValue(elementType, key, depth + 1);
                }

                break;
            default:
                throw Invalid($"metadata '{key}' has unknown value type {type}");
        }
    }

    private string ReadString(string what) => cursor.ReadUtf8(StringLength(what), what);

    private long StringLength(string what)
    {
        var length = cursor.ReadUInt64($"the length of {what}");
        return length <= (ulong)cursor.Remaining ? (long)length : throw Truncated($"{what} claims {length} bytes, more than the file holds");
    }

    /// <summary>
    /// A count the whole file could not hold is a corrupt header, refused before the loop starts; a
    /// smaller one that the rest of the file cannot hold is found as truncation when the bytes run out.
    /// </summary>
    private void CheckCount(ulong count, int minimumBytes, string what)
    {
        if (count > (ulong)(file.Length / minimumBytes))
        {
            throw Invalid($"the header claims {count} {what}, more than its {file.Length} bytes can hold");
        }
    }

    private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;

    private ThetaException Truncated(string what) =>
        new(DiagnosticIds.TruncatedCheckpoint, $"{path}: invalid GGUF header: {what}; the file is truncated or corrupt.");

    private ThetaException Invalid(string what) => new(DiagnosticIds.InvalidCheckpoint, $"{path}: invalid GGUF file: {what}.");
}
