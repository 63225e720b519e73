using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace GitTheta.Sdk.Tests.Infrastructure;

/// <summary>Writes small safetensors checkpoints for the tests (F32 groups of seeded random values) and reads their parameter count back.</summary>
public static class SafetensorsFile
{
    public static byte[] Create(int groups, int seed, int rows = 16, int columns = 8, int changedGroups = 0)
    {
        var random = new Random(1234);
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        var data = new List<byte>();
        for (var g = 0; g < groups; g++)
        {
            var values = new float[rows * columns];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(random.NextDouble() - 0.5);
            }

            // The first changedGroups groups move with the seed (a fine-tune); the others stay as they were.
            if (g < changedGroups)
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] += seed * 0.25f;
                }
            }

            header.Append($",\"layers.{g}.weight\":{{\"dtype\":\"F32\",\"shape\":[{rows},{columns}],\"data_offsets\":[{data.Count},{data.Count + (values.Length * 4)}]}}");
            foreach (var value in values)
            {
                var bytes = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
                data.AddRange(bytes);
            }
        }

        header.Append('}');
        while (header.Length % 8 != 0)
        {
            header.Append(' ');
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        var file = new byte[8 + headerBytes.Length + data.Count];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        data.CopyTo(file, 8 + headerBytes.Length);
        return file;
    }

    /// <summary>The number of tensor elements a safetensors file declares, from its header.</summary>
    public static long ParameterCount(byte[] file)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var header = JsonDocument.Parse(file.AsMemory(8, length));
        long total = 0;
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            total += entry.Value.GetProperty("shape").EnumerateArray().Aggregate(1L, (product, dimension) => product * dimension.GetInt64());
        }

        return total;
    }
}
