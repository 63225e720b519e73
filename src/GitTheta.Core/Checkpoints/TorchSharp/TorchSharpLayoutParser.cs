using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.TorchSharp;

/// <summary>
/// Finds the entries of a file TorchSharp's <c>Module.save</c> wrote (<c>save_state_dict</c>): the entry count as an
/// unsigned LEB128, then per entry the name as <c>BinaryWriter.Write(string)</c> (LEB128 byte length, UTF-8), the
/// scalar type, the rank and each dimension as LEB128, and the tensor's raw little-endian bytes. Every count and
/// length is checked against the bytes the file has left before it is used, so a file claiming 2^40 entries or a
/// tensor past its end is refused at once, without allocating for the claim.
/// </summary>
internal sealed class TorchSharpLayoutParser
{
    /// <summary>TorchSharp writes <c>Dictionary.Count</c> and string lengths: both are .NET ints.</summary>
    private const long MaxCount = int.MaxValue;

    /// <summary>libtorch allows 64 dimensions; so does the spliced container.</summary>
    private const long MaxRank = 64;

    /// <summary>The smallest entry: an empty name, a scalar type and rank 0, one byte each.</summary>
    private const int MinEntryLength = 3;

    private readonly SpooledFile file;
    private readonly string path;
    private readonly FileCursor cursor;

    private TorchSharpLayoutParser(SpooledFile file, string path)
    {
        this.file = file;
        this.path = path;
        // The cursor reports a malformed field with the reason in parentheses after its name, a short read without.
        cursor = new FileCursor(file, 0, file.Length, what => what.EndsWith(')')
            ? Invalid($"{what} is malformed")
            : new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the TorchSharp file ends inside {what}; it is truncated. Save the module again and add it again."));
    }

    public static IReadOnlyList<SplicedRange> FindGroups(SpooledFile file, string path) => new TorchSharpLayoutParser(file, path).Parse();

    private List<SplicedRange> Parse()
    {
        if (file.Length == 0)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file is empty, not a TorchSharp checkpoint.");
        }

        var count = ReadLength("the entry count");
        if (count > cursor.Remaining / MinEntryLength)
        {
            throw Invalid($"it claims {count} entries, more than its {file.Length} bytes can hold");
        }

        var ranges = new List<SplicedRange>((int)Math.Min(count, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0L; i < count; i++)
        {
            var nameLength = ReadLength($"the length of the name of entry {i}");
            var name = cursor.ReadUtf8(nameLength, $"the name of entry {i}");
            if (!names.Add(name))
            {
                throw Invalid($"the name '{name}' appears twice");
            }

            var info = new TensorInfo(name, ReadDType(name), ReadShape(name));
            long byteLength;
            try
            {
                byteLength = info.ByteLength;
            }
            catch (Exception e) when (e is OverflowException or ThetaException)
            {
                throw Invalid($"the shape {info.ShapeText} of '{name}' has more bytes than a file can hold");
            }

            if (byteLength > cursor.Remaining)
            {
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: '{name}' {info.ShapeText} needs {byteLength} bytes of data but the file has {cursor.Remaining} left; it is truncated. Save the module again and add it again.");
            }

            ranges.Add(new SplicedRange(info, cursor.Position));
            cursor.Skip(byteLength, $"the data of '{name}'");
        }

        if (cursor.Remaining != 0)
        {
            throw Invalid($"{cursor.Remaining} bytes follow the last of its {count} entries");
        }

        return ranges;
    }

    private DType ReadDType(string name)
    {
        var code = ReadVarint($"the scalar type of '{name}'");
        if (TorchSharpScalarType.ToDType(code) is { } dtype)
        {
            return dtype;
        }

        if (TorchSharpScalarType.UnsupportedName(code) is { } unsupported)
        {
            throw new ThetaException(DiagnosticIds.UnsupportedDType, $"{path}: '{name}' is a {unsupported} tensor, which git-theta does not store; convert it to a real dtype before saving, or store the file with plain git-lfs.");
        }

        throw Invalid($"'{name}' has scalar type code {code}, which is not a TorchSharp dtype");
    }

    private long[] ReadShape(string name)
    {
        var rank = ReadVarint($"the rank of '{name}'");
        if (rank > MaxRank)
        {
            throw Invalid($"'{name}' claims {rank} dimensions; libtorch allows {MaxRank}");
        }

        var shape = new long[rank];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = ReadVarint($"dimension {d} of '{name}'");
        }

        return shape;
    }

    private long ReadLength(string what)
    {
        var value = ReadVarint(what);
        return value <= MaxCount ? value : throw Invalid($"{what} is {value}, larger than TorchSharp writes");
    }

    private long ReadVarint(string what)
    {
        var value = cursor.ReadVarint(what);
        return value <= long.MaxValue ? (long)value : throw Invalid($"{what} is {value}, out of range");
    }

    private ThetaException Invalid(string why) =>
        new(DiagnosticIds.InvalidCheckpoint, $"{path}: not a valid TorchSharp checkpoint: {why}. Save the module again with Module.save and add it again.");
}
