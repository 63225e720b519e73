using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// safetensors files of named tensors in F64, F32, F16 or BF16, written and read independently of the product, with
/// values given and returned as float64 (rounded to the dtype to nearest even when written).
/// </summary>
public sealed class TensorFile
{
    private readonly List<Tensor> tensors = new();

    public IReadOnlyList<Tensor> Tensors => tensors;

    public Tensor this[string name] => tensors.Single(t => t.Name == name);

    public TensorFile Add(string name, string dtype, long[] shape, double[] values)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != values.Length)
        {
            throw new ArgumentException($"{name}: {values.Length} values for shape [{string.Join(", ", shape)}]");
        }

        // Stored as the dtype holds them, so that reading back gives exactly these values.
        tensors.Add(new Tensor(name, dtype, shape, Decode(dtype, Encode(dtype, values))));
        return this;
    }

    /// <summary>A copy in which one tensor's values are replaced.</summary>
    public TensorFile With(string name, double[] values)
    {
        var copy = new TensorFile();
        foreach (var tensor in tensors)
        {
            copy.Add(tensor.Name, tensor.DType, tensor.Shape, tensor.Name == name ? values : tensor.Values);
        }

        return copy;
    }

    public static double[] Random(int seed, long count, double scale = 0.02)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    public byte[] ToBytes()
    {
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        var data = new MemoryStream();
        foreach (var tensor in tensors)
        {
            var bytes = Encode(tensor.DType, tensor.Values);
            json.Append($",\"{tensor.Name}\":{{\"dtype\":\"{tensor.DType}\",\"shape\":[{string.Join(",", tensor.Shape)}],\"data_offsets\":[{offset},{offset + bytes.Length}]}}");
            offset += bytes.Length;
            data.Write(bytes);
        }

        json.Append('}');
        while (json.Length % 8 != 0)
        {
            json.Append(' ');
        }

        var header = Encoding.UTF8.GetBytes(json.ToString());
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.ToArray().CopyTo(file, 8 + header.Length);
        return file;
    }

    public static TensorFile Read(byte[] file)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var header = JsonDocument.Parse(file.AsMemory(8, length));
        var result = new TensorFile();
        foreach (var property in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            var dtype = property.Value.GetProperty("dtype").GetString()!;
            var shape = property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(d => (int)d.GetInt64()).ToArray();
            result.tensors.Add(new Tensor(property.Name, dtype, shape, Decode(dtype, file.AsSpan(8 + length + offsets[0], offsets[1] - offsets[0]))));
        }

        return result;
    }

    public static byte[] Encode(string dtype, double[] values)
    {
        var size = dtype switch { "F64" or "I64" => 8, "F32" => 4, "F16" or "BF16" => 2, _ => throw new ArgumentException(dtype) };
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var target = bytes.AsSpan(i * size, size);
            switch (dtype)
            {
                case "F64":
                    BinaryPrimitives.WriteDoubleLittleEndian(target, values[i]);
                    break;
                case "I64":
                    BinaryPrimitives.WriteInt64LittleEndian(target, (long)values[i]);
                    break;
                case "F32":
                    BinaryPrimitives.WriteSingleLittleEndian(target, (float)values[i]);
                    break;
                case "F16":
                    BinaryPrimitives.WriteHalfLittleEndian(target, (Half)values[i]);
                    break;
                default:
                    BinaryPrimitives.WriteUInt16LittleEndian(target, ToBFloat16((float)values[i]));
                    break;
            }
        }

        return bytes;
    }

    public static double[] Decode(string dtype, ReadOnlySpan<byte> bytes)
    {
        var size = dtype switch { "F64" or "I64" => 8, "F32" => 4, "F16" or "BF16" => 2, _ => throw new ArgumentException(dtype) };
        var values = new double[bytes.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            var source = bytes.Slice(i * size, size);
            values[i] = dtype switch
            {
                "F64" => BinaryPrimitives.ReadDoubleLittleEndian(source),
                "I64" => BinaryPrimitives.ReadInt64LittleEndian(source),
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(source),
                "F16" => (double)BinaryPrimitives.ReadHalfLittleEndian(source),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source) << 16),
            };
        }

        return values;
    }

    private static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>One tensor: its values as float64, exactly as the dtype holds them.</summary>
    public sealed record Tensor(string Name, string DType, long[] Shape, double[] Values);
}
