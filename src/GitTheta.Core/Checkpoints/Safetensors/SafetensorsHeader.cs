using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Safetensors;

/// <summary>
/// A parsed and validated safetensors header. Hostile headers (huge lengths, overlapping or
/// out-of-order offsets, holes, sizes that disagree with dtype and shape) are refused here,
/// before any tensor byte is read.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The limit the reference implementation uses; a larger header is refused unread.</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    private SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, long dataLength)
    {
        Entries = entries;
        DataLength = dataLength;
    }

    /// <summary>Tensors in data-offset order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    public long DataLength { get; }

    public static long ReadLength(ReadOnlySpan<byte> prefix, string path)
    {
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > MaxHeaderLength)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: safetensors header claims {length} bytes, more than the {MaxHeaderLength}-byte limit; the file is corrupt or not safetensors.");
        }

        if (length < 2)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: safetensors header length {length} is too small to hold a JSON object.");
        }

        return (long)length;
    }

    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, string path)
    {
        // System.Text.Json checks UTF-8 only when a string is decoded, and then throws InvalidOperationException.
        if (!Utf8.IsValid(json))
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: safetensors header is not valid UTF-8 (at byte {8 + FirstInvalidUtf8(json)} of the file); the file is corrupt or not safetensors.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: safetensors header is not valid JSON ({e.Message}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "the header is not a JSON object");
            }

            var entries = new List<SafetensorsEntry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Invalid(path, $"tensor '{property.Name}' is declared twice");
                }

                if (property.Name == MetadataKey)
                {
                    ValidateMetadata(property.Value, path);
                    continue;
                }

                entries.Add(ParseEntry(property.Name, property.Value, path));
            }

            var ordered = entries
                .Select((entry, index) => (entry, index))
                .OrderBy(x => x.entry.Begin)
                .ThenBy(x => x.entry.End)
                .ThenBy(x => x.index)
                .Select(x => x.entry)
                .ToList();
            long position = 0;
            foreach (var entry in ordered)
            {
                if (entry.Begin != position)
                {
                    throw Invalid(path, entry.Begin > position
                        ? $"tensor '{entry.Info.Name}' starts at {entry.Begin} but the previous one ends at {position} (holes are not allowed)"
                        : $"tensor '{entry.Info.Name}' overlaps the previous tensor (starts at {entry.Begin}, previous ends at {position})");
                }

                position = entry.End;
            }

            return new SafetensorsHeader(ordered, position);
        }
    }

    private static SafetensorsEntry ParseEntry(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"tensor '{name}' is not a JSON object");
        }

        string? dtypeName = null;
        List<long>? shape = null;
        long[]? offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when field.Value.ValueKind == JsonValueKind.String:
                    dtypeName = field.Value.GetString();
                    break;
                case "shape" when field.Value.ValueKind == JsonValueKind.Array:
                    shape = new List<long>();
                    foreach (var dim in field.Value.EnumerateArray())
                    {
                        if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var d) || d < 0)
                        {
                            throw Invalid(path, $"tensor '{name}' has an invalid shape");
                        }

                        shape.Add(d);
                    }

                    break;
                case "data_offsets" when field.Value.ValueKind == JsonValueKind.Array && field.Value.GetArrayLength() == 2:
                    offsets = new long[2];
                    var i = 0;
                    foreach (var o in field.Value.EnumerateArray())
                    {
                        if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out var v) || v < 0)
                        {
                            throw Invalid(path, $"tensor '{name}' has invalid data_offsets");
                        }

                        offsets[i++] = v;
                    }

                    break;
                default:
                    throw Invalid(path, $"tensor '{name}' has an unexpected field '{field.Name}'");
            }
        }

        if (dtypeName is null || shape is null || offsets is null)
        {
            throw Invalid(path, $"tensor '{name}' lacks dtype, shape or data_offsets");
        }

        var dtype = DTypes.Parse(dtypeName, $"{path}: tensor '{name}'");
        var info = new TensorInfo(name, dtype, shape);
        if (offsets[1] < offsets[0])
        {
            throw Invalid(path, $"tensor '{name}' ends before it begins");
        }

        long expected;
        try
        {
            expected = info.ByteLength;
        }
        catch (Exception e) when (e is OverflowException or ThetaException)
        {
            throw Invalid(path, $"tensor '{name}' has a shape too large to address");
        }

        if (offsets[1] - offsets[0] != expected)
        {
            throw Invalid(path, $"tensor '{name}' spans {offsets[1] - offsets[0]} bytes but {dtype} {info.ShapeText} needs {expected}");
        }

        return new SafetensorsEntry(info, offsets[0], offsets[1]);
    }

    private static void ValidateMetadata(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "__metadata__ is not a JSON object");
        }

        foreach (var field in value.EnumerateObject())
        {
            if (field.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(path, $"__metadata__ value '{field.Name}' is not a string");
            }
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> json)
    {
        var at = 0;
        while (at < json.Length && Rune.DecodeFromUtf8(json[at..], out _, out var consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        return at;
    }

    private static ThetaException Invalid(string path, string what) =>
        new(DiagnosticIds.InvalidCheckpoint, $"{path}: invalid safetensors header: {what}. Re-save the checkpoint with a safetensors library.");
}
