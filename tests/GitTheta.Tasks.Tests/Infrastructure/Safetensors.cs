using System.Buffers.Binary;
using System.Text;

namespace GitTheta.Tasks.Tests.Infrastructure;

/// <summary>A small, valid safetensors checkpoint: one F32 tensor of the given shape, values 0, 1, 2, ….</summary>
public static class Safetensors
{
    public static byte[] Create(int rows, int columns)
    {
        var count = rows * columns;
        var header = new StringBuilder($"{{\"layer.weight\":{{\"dtype\":\"F32\",\"shape\":[{rows},{columns}],\"data_offsets\":[0,{count * 4}]}}}}");
        while (header.Length % 8 != 0)
        {
            header.Append(' ');
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        var file = new byte[8 + headerBytes.Length + (count * 4)];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(8 + headerBytes.Length + (i * 4)), i);
        }

        return file;
    }
}
