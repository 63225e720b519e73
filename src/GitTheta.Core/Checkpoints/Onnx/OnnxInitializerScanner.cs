using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>
/// Walks an ONNX model's protobuf wire format (no generated code, no copy of the model) and finds the
/// bytes of each initializer of the main graph: <c>raw_data</c>, or the packed <c>float_data</c> /
/// <c>double_data</c>, which hold the same little-endian values. Everything else is skipped by its
/// length, and every length is checked against the message that holds it.
/// </summary>
public sealed class OnnxInitializerScanner
{
    // ModelProto.graph, GraphProto.initializer and the TensorProto fields, from onnx.proto.
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorSegment = 3;
    private const int TensorFloatData = 4;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorDoubleData = 10;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;

    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLength = 2;
    private const int WireFixed32 = 5;

    private readonly SpooledFile file;
    private readonly string path;

    private OnnxInitializerScanner(SpooledFile file, string path)
    {
        this.file = file;
        this.path = path;
    }

    public static IReadOnlyList<SplicedRange> FindGroups(SpooledFile file, string path)
    {
        if (file.Length == 0)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file is empty, not an ONNX model.");
        }

        return new OnnxInitializerScanner(file, path).Scan();
    }

    private List<SplicedRange> Scan()
    {
        var ranges = new List<SplicedRange>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var model = new FileCursor(file, 0, file.Length, what => new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the ONNX model ends inside {what}; the file is truncated or not ONNX."));
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

                var graph = Sub(model, "the graph");
                while (graph.Remaining > 0)
                {
                    var (graphField, graphWire, _) = ReadTag(graph, "the graph");
                    if (graphField == GraphInitializer && graphWire == WireLength)
                    {
                        var initializer = Sub(graph, "an initializer");
                        if (ReadInitializer(initializer) is { } range)
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
    private SplicedRange? ReadInitializer(FileCursor tensor)
    {
        var dims = new List<long>();
        long dataType = 0;
        string? name = null;
        (long Offset, long Length, int Field)? data = null;
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
                case TensorRawData or TensorFloatData or TensorDoubleData when wire == WireLength:
                    var length = Length(tensor, "the data");
                    if (data is not null)
                    {
                        throw Invalid($"initializer {name ?? "at byte " + at} holds its data in more than one field");
                    }

                    data = (tensor.Position, length, field);
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
        return new FileCursor(file, start, start + length, inside => Invalid($"{what} at byte {start} ends inside {inside}"));
    }

    private long Dimension(ulong value) =>
        value <= long.MaxValue ? (long)value : throw Invalid("an initializer has a negative dimension");

    private ThetaException Invalid(string what) => new(DiagnosticIds.InvalidCheckpoint, $"{path}: invalid ONNX model: {what}.");
}
