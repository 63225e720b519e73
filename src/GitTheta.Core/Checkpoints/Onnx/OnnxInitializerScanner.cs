using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using static GitTheta.Core.Checkpoints.Onnx.OnnxFields;

namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>
/// Walks an ONNX model's protobuf wire format (no generated code, no copy of the model) and finds the
/// bytes of each initializer of the main graph: <c>raw_data</c>, or the packed <c>float_data</c> /
/// <c>double_data</c>, which hold the same little-endian values, or the packed varints of
/// <c>int32_data</c> / <c>int64_data</c> / <c>uint64_data</c>, which are decoded (and whose enclosing
/// length prefixes are recorded, see <see cref="OnnxVarintLayout"/>). Everything else is skipped by
/// its length, and every length is checked against the message that holds it.
/// </summary>
internal sealed class OnnxInitializerScanner
{
    private readonly SpooledFile file;
    private readonly string path;

    /// <summary>Length prefixes (file offsets) around varint-encoded groups, with the file region each counts.</summary>
    private readonly List<(long At, int Width, ulong Value, long Start, long End)> prefixes = new();

    private OnnxInitializerScanner(SpooledFile file, string path)
    {
        this.file = file;
        this.path = path;
    }

    /// <returns>The groups in file order, and the container's extra bytes (empty unless some group is varint-encoded).</returns>
    public static (IReadOnlyList<SplicedRange> Ranges, byte[] Extra) FindGroups(SpooledFile file, string path)
    {
        if (file.Length == 0)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file is empty, not an ONNX model.");
        }

        var scanner = new OnnxInitializerScanner(file, path);
        var ranges = scanner.Scan();
        return (ranges, scanner.VarintLayout(ranges));
    }

    private List<SplicedRange> Scan()
    {
        var ranges = new List<SplicedRange>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var model = new FileCursor(file, 0, file.Length, what => what.EndsWith(FileCursor.OverlongVarint, StringComparison.Ordinal)
            ? new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: the ONNX model holds {what}, which no protobuf writer produces; the file is corrupt or not ONNX.")
            : new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the ONNX model ends inside {what}; the file is truncated or not ONNX."));
        var graphs = 0;
        while (model.Remaining > 0)
        {
            var (field, wire, at) = ReadTag(model, "the model");
            if (field == ModelGraph && wire == WireLength)
            {
                if (++graphs > 1)
                {
                    throw Invalid($"it has a second main graph at byte {at}");
                }

                var graphPrefix = model.Position;
                var graph = Sub(model, "the graph");
                var graphStart = graph.Position;
                var varintsBefore = prefixes.Count;
                while (graph.Remaining > 0)
                {
                    var (graphField, graphWire, _) = ReadTag(graph, "the graph");
                    if (graphField == GraphInitializer && graphWire == WireLength)
                    {
                        var tensorPrefix = graph.Position;
                        var initializer = Sub(graph, "an initializer");
                        if (ReadInitializer(initializer, tensorPrefix, initializer.Position) is { } range)
                        {
                            if (!names.Add(range.Info.Name))
                            {
                                throw Invalid($"two initializers are named '{range.Info.Name}'");
                            }

                            ranges.Add(range);
                        }

                        graph.Seek(initializer.End);
                    }
                    else
                    {
                        SkipValue(graph, graphWire, "the graph");
                    }
                }

                if (prefixes.Count > varintsBefore)
                {
                    AddPrefix(graphPrefix, graphStart, graph.End);
                }

                model.Seek(graph.End);
            }
            else
            {
                SkipValue(model, wire, "the model");
            }
        }

        if (graphs == 0)
        {
            throw Invalid("it has no graph");
        }

        ranges.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return ranges;
    }

    /// <summary>The initializer's data as a group, or null when it stays in the container (no dtype for it, or no data).</summary>
    private SplicedRange? ReadInitializer(FileCursor tensor, long tensorPrefix, long tensorStart)
    {
        var dims = new List<long>();
        long dataType = 0;
        string? name = null;
        (long Offset, long Length, int Field, long Prefix)? data = null;
        var external = false;
        while (tensor.Remaining > 0)
        {
            var (field, wire, at) = ReadTag(tensor, "an initializer");
            switch (field)
            {
                case TensorDims when wire == WireVarint:
                    dims.Add(Dimension(tensor.ReadVarint("a dimension")));
                    break;
                case TensorDims when wire == WireLength:
                    var packed = Sub(tensor, "the dimensions");
                    while (packed.Remaining > 0)
                    {
                        dims.Add(Dimension(packed.ReadVarint("a dimension")));
                    }

                    tensor.Seek(packed.End);
                    break;
                case TensorDataType when wire == WireVarint:
                    dataType = (long)tensor.ReadVarint("the data type");
                    break;
                case TensorName when wire == WireLength:
                    name = tensor.ReadUtf8(Length(tensor, "the name"), "the name");
                    break;
                case TensorRawData or TensorFloatData or TensorDoubleData or TensorInt32Data or TensorInt64Data or TensorUInt64Data when wire == WireLength:
                    var prefix = tensor.Position;
                    var length = Length(tensor, "the data");
                    if (data is not null)
                    {
                        throw Invalid($"initializer {name ?? "at byte " + at} holds its data in more than one field");
                    }

                    data = (tensor.Position, length, field, prefix);
                    tensor.Skip(length, "the data");
                    break;
                case TensorSegment:
                    throw Invalid($"initializer {name ?? "at byte " + at} is stored in segments, which git-theta does not read");
                case TensorExternalData:
                    external = true;
                    SkipValue(tensor, wire, "an initializer");
                    break;
                case TensorDataLocation when wire == WireVarint:
                    external |= tensor.ReadVarint("the data location") == 1;
                    break;
                default:
                    SkipValue(tensor, wire, "an initializer");
                    break;
            }
        }

        if (external)
        {
            throw new ThetaException(
                DiagnosticIds.InvalidCheckpoint,
                $"{path}: initializer '{name}' keeps its data in an external file, which git-theta cannot see from the .onnx file; save the model with its weights inside (onnx.save_model(model, path, save_as_external_data=False), up to 2 GiB), or track both files with plain git-lfs.");
        }

        if (name is null || data is null || !OnnxDataTypes.TryGet(dataType, out var dtype))
        {
            return null;
        }

        if ((data.Value.Field == TensorFloatData && dataType != OnnxDataTypes.Float) || (data.Value.Field == TensorDoubleData && dataType != OnnxDataTypes.Double))
        {
            return null;
        }

        var info = new TensorInfo(name, dtype, dims);
        if (data.Value.Field is TensorInt32Data or TensorInt64Data or TensorUInt64Data)
        {
            return ReadVarints(info, data.Value.Field, data.Value.Offset, data.Value.Length, data.Value.Prefix, (tensorPrefix, tensorStart, tensor.End));
        }

        long expected;
        try
        {
            expected = info.ByteLength;
        }
        catch (Exception e) when (e is OverflowException or ThetaException)
        {
            throw Invalid($"initializer '{name}' has a shape too large to address");
        }

        if (expected != data.Value.Length)
        {
            throw Invalid($"initializer '{name}' is {dtype} {info.ShapeText} ({expected} bytes) but holds {data.Value.Length} bytes of data");
        }

        return new SplicedRange(info, data.Value.Offset);
    }

    /// <summary>
    /// A typed field of varints as a group, decoded; or null (the initializer stays in the container) when
    /// the field may not hold the type or its bytes are not the encoding git-theta would write back.
    /// </summary>
    private SplicedRange? ReadVarints(TensorInfo info, int field, long offset, long length, long fieldPrefix, (long At, long Start, long End) tensor)
    {
        if (!PackedVarintCodec.Holds(field, info.DType))
        {
            return null;
        }

        long count;
        try
        {
            count = info.ElementCount;
        }
        catch (ThetaException)
        {
            throw Invalid($"initializer '{info.Name}' has a shape too large to address");
        }

        if (length > SplicedReader.MaxSkeletonLength)
        {
            return null;
        }

        var result = PackedVarintCodec.TryDecode(file.ReadBytes(offset, (int)length), info.DType, count, out _);
        if (result == PackedVarintCodec.DecodeResult.WrongCount)
        {
            throw Invalid($"initializer '{info.Name}' is {info.DType} {info.ShapeText} but its typed data does not hold {count} values");
        }

        if (result == PackedVarintCodec.DecodeResult.NotCanonical)
        {
            return null;
        }

        AddPrefix(fieldPrefix, offset, offset + length);
        AddPrefix(tensor.At, tensor.Start, tensor.End);
        return new SplicedRange(info, offset, Array.Empty<long>(), length, PackedVarintCodec.Instance);
    }

    /// <summary>Records the length prefix at <paramref name="at"/>, which counts the bytes from <paramref name="start"/> to <paramref name="end"/>.</summary>
    private void AddPrefix(long at, long start, long end)
    {
        var bytes = file.ReadBytes(at, (int)(start - at));
        ulong value = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            value |= (ulong)(bytes[i] & 0x7F) << (7 * i);
        }

        prefixes.Add((at, (int)(start - at), value, start, end));
    }

    /// <summary>The extra container bytes for the varint-encoded groups, in skeleton offsets; empty when there are none.</summary>
    private byte[] VarintLayout(IReadOnlyList<SplicedRange> ranges)
    {
        if (prefixes.Count == 0)
        {
            return Array.Empty<byte>();
        }

        var sorted = prefixes.OrderBy(p => p.At).ToList();
        var fields = sorted.Select(p =>
        {
            var groups = Enumerable.Range(0, ranges.Count).Where(g => ranges[g].Offset >= p.Start && ranges[g].End <= p.End).ToList();
            var inner = Enumerable.Range(0, sorted.Count).Where(f => sorted[f].At >= p.Start && sorted[f].At < p.End).ToList();
            return new OnnxLengthField(
                SplicedReader.SkeletonOffset(ranges, p.At),
                p.Width,
                p.Value,
                groups.Count == 0 ? 0 : groups[0],
                groups.Count,
                inner.Count == 0 ? 0 : inner[0],
                inner.Count);
        }).ToList();
        var encoded = Enumerable.Range(0, ranges.Count).Where(g => ranges[g].Decoder is not null).ToDictionary(g => g, g => ranges[g].StoredLength);
        return new OnnxVarintLayout(encoded, fields).Serialize();
    }

    private (int Field, int Wire, long At) ReadTag(FileCursor cursor, string where)
    {
        var at = cursor.Position;
        var tag = cursor.ReadVarint($"a field of {where}");
        var field = tag >> 3;
        var wire = (int)(tag & 7);
        if (field == 0 || field > int.MaxValue)
        {
            throw Invalid($"{where} has an invalid field number at byte {at}");
        }

        return ((int)field, wire, at);
    }

    private void SkipValue(FileCursor cursor, int wire, string where)
    {
        switch (wire)
        {
            case WireVarint:
                cursor.ReadVarint($"a number in {where}");
                break;
            case WireFixed64:
                cursor.Skip(8, $"a number in {where}");
                break;
            case WireLength:
                cursor.Skip(Length(cursor, where), $"a field of {where}");
                break;
            case WireFixed32:
                cursor.Skip(4, $"a number in {where}");
                break;
            default:
                throw Invalid($"{where} uses protobuf wire type {wire} at byte {cursor.Position}, which ONNX never writes");
        }
    }

    /// <summary>A length prefix, checked against what is left of the enclosing message.</summary>
    private long Length(FileCursor cursor, string what)
    {
        var at = cursor.Position;
        var length = cursor.ReadVarint($"the length of {what}");
        if (length > (ulong)cursor.Remaining)
        {
            throw cursor.End == file.Length
                ? new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: {what} at byte {at} claims {length} bytes but the file ends {cursor.Remaining} bytes later; the ONNX model is truncated or corrupt.")
                : Invalid($"{what} at byte {at} claims {length} bytes but its enclosing message ends {cursor.Remaining} bytes later");
        }

        return (long)length;
    }

    private FileCursor Sub(FileCursor parent, string what)
    {
        var length = Length(parent, what);
        var start = parent.Position;
        return parent.Slice(start, start + length, inside => Invalid($"{what} at byte {start} ends inside {inside}"));
    }

    private long Dimension(ulong value) =>
        value <= long.MaxValue ? (long)value : throw Invalid("an initializer has a negative dimension");

    private ThetaException Invalid(string what) => new(DiagnosticIds.InvalidCheckpoint, $"{path}: invalid ONNX model: {what}.");
}
