using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>
/// ONNX models (.onnx): each initializer of the main graph is a parameter group (its <c>raw_data</c>, or
/// its typed field: packed <c>float_data</c>/<c>double_data</c> as they are, packed varints decoded); the
/// rest of the protobuf (graph, nodes, attributes, metadata) is the container, kept byte for byte.
/// Models whose weights live in external files are refused.
/// </summary>
internal sealed class OnnxFormat : ICheckpointFormat
{
    public const string FormatName = "onnx";

    /// <summary>The ModelProto fields (number, wire type) a model may start with; ir_version (1, varint) comes first in every writer.</summary>
    private static readonly Dictionary<ulong, int> ModelFields = new()
    {
        [1] = 0, [2] = 2, [3] = 2, [4] = 2, [5] = 0, [6] = 2, [7] = 2, [8] = 2, [14] = 2, [20] = 2, [25] = 2,
    };

    public string Name => FormatName;

    public IReadOnlyList<string> Extensions { get; } = new[] { ".onnx" };

    public int SniffLength => 64;

    /// <summary>
    /// Protobuf has no magic number: a model starts with ir_version (field 1) holding a small version, and
    /// the fields that follow within the prefix must be ModelProto fields with their wire types.
    /// </summary>
    public bool Sniff(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 4 || prefix[0] != 0x08 || prefix[1] is 0 or > 64)
        {
            return false;
        }

        var position = 2;
        var fields = 1;
        while (position < prefix.Length)
        {
            if (!TryVarint(prefix, ref position, out var tag) || !ModelFields.TryGetValue(tag >> 3, out var wire) || wire != (int)(tag & 7))
            {
                return position >= prefix.Length && fields >= 2;
            }

            fields++;
            if (wire == 0)
            {
                if (!TryVarint(prefix, ref position, out _))
                {
                    return true;
                }
            }
            else
            {
                if (!TryVarint(prefix, ref position, out var length))
                {
                    return true;
                }

                if (length >= (ulong)(prefix.Length - position))
                {
                    return true;
                }

                position += (int)length;
            }
        }

        return fields >= 2;
    }

    public ICheckpointReader OpenReader(Stream input, string path)
    {
        var file = SpooledFile.From(input);
        try
        {
            var (ranges, extra) = OnnxInitializerScanner.FindGroups(file, path);
            return new SplicedReader(file, FormatName, ranges, extra, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public IReadOnlyList<TensorInfo> DescribeContainer(ReadOnlySpan<byte> container, string path) =>
        SplicedLayout.Parse(container.ToArray(), FormatName, path).Groups.Select(g => g.Info).ToList();

    public void Write(ReadOnlySpan<byte> container, ITensorDataSource tensors, Stream output, string path)
    {
        var layout = SplicedLayout.Parse(container.ToArray(), FormatName, path);
        if (layout.Extra.IsEmpty)
        {
            SplicedWriter.Write(layout, tensors, output);
            return;
        }

        OnnxVarintWriter.Write(layout, OnnxVarintLayout.Parse(layout.Extra, layout.Groups.Count, layout.Skeleton.Length, path), tensors, output);
    }

    private static bool TryVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < bytes.Length; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
