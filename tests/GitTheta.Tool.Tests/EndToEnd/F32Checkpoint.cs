using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace GitTheta.Tool.Tests.EndToEnd;

/// <summary>
/// Float32 safetensors files written and read independently of the product: named 1-D groups in a given order, and
/// the values of every group of a file (whatever order its header lists them in).
/// </summary>
internal static class F32Checkpoint
{
    public static float[] Random(int seed, int count = 256, float scale = 0.02f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * 2 * scale)).ToArray();
    }

    public static float[] Shift(float[] values, float delta) => values.Select(v => v + delta).ToArray();

    public static byte[] Write(params (string Name, float[] Values)[] groups) => Write(columns: null, groups);

    /// <summary>Groups as matrices with <paramref name="columns"/> columns (rows = length / columns), or 1-D when null.</summary>
    public static byte[] Write(int? columns, params (string Name, float[] Values)[] groups)
    {
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, values) in groups)
        {
            var shape = columns is { } c ? $"{values.Length / c},{c}" : $"{values.Length}";
            json.Append($",\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{shape}],\"data_offsets\":[{offset},{offset + (values.Length * 4L)}]}}");
            offset += values.Length * 4L;
        }

        json.Append('}');
        while (json.Length % 8 != 0)
        {
            json.Append(' ');
        }

        var header = Encoding.UTF8.GetBytes(json.ToString());
        var file = new byte[8 + header.Length + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        var position = 8 + header.Length;
        foreach (var (_, values) in groups)
        {
            foreach (var value in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(position), value);
                position += 4;
            }
        }

        return file;
    }

    /// <summary>Every group's values, by name; throws unless the file is a well-formed float32 safetensors file.</summary>
    public static Dictionary<string, float[]> Read(byte[] file)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var header = JsonDocument.Parse(file.AsMemory(8, length));
        var groups = new Dictionary<string, float[]>(StringComparer.Ordinal);
        long end = 0;
        foreach (var property in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            Assert.Equal("F32", property.Value.GetProperty("dtype").GetString());
            var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            var values = new float[(offsets[1] - offsets[0]) / 4];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(8 + length + offsets[0] + (i * 4))));
            }

            groups[property.Name] = values;
            end = Math.Max(end, offsets[1]);
        }

        Assert.Equal(file.Length, 8 + length + end);
        return groups;
    }

    /// <summary>The group names in the order the header lists them.</summary>
    public static IReadOnlyList<string> Names(byte[] file)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var header = JsonDocument.Parse(file.AsMemory(8, length));
        return header.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToList();
    }
}
