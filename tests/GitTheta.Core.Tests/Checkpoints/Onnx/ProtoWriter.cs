using System.Text;

namespace GitTheta.Core.Tests.Checkpoints.Onnx;

/// <summary>Writes protobuf wire format by hand, for ONNX models no exporter would write.</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream bytes = new();

    public ProtoWriter Varint(int field, ulong value) => Tag(field, 0).Raw(Encode(value));

    public ProtoWriter Bytes(int field, byte[] value) => Tag(field, 2).Raw(Encode((ulong)value.Length)).Raw(value);

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter Tag(int field, int wire) => Raw(Encode(((ulong)field << 3) | (uint)wire));

    public ProtoWriter Raw(byte[] raw)
    {
        bytes.Write(raw);
        return this;
    }

    public byte[] ToArray() => bytes.ToArray();

    public static byte[] Encode(ulong value)
    {
        var output = new List<byte>();
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
        return output.ToArray();
    }

    /// <summary>A TensorProto: dims (unpacked, as the ONNX exporter writes them), data type, name, then raw_data.</summary>
    public static ProtoWriter Tensor(string name, int dataType, long[] dims, byte[] raw)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, (ulong)dim);
        }

        return tensor.Varint(2, (ulong)dataType).String(8, name).Bytes(9, raw);
    }

    /// <summary>A ModelProto: ir_version 8, a producer, a graph with one node, the initializers, an opset import.</summary>
    public static byte[] Model(params ProtoWriter[] initializers)
    {
        var graph = new ProtoWriter().Message(1, new ProtoWriter().String(1, "x").String(2, "y").String(4, "Identity")).String(2, "g");
        foreach (var initializer in initializers)
        {
            graph.Message(5, initializer);
        }

        graph.Message(11, new ProtoWriter().String(1, "x")).Message(12, new ProtoWriter().String(1, "y"));
        return new ProtoWriter().Varint(1, 8).String(2, "test").Message(7, graph).Message(8, new ProtoWriter().Varint(2, 17)).ToArray();
    }
}
