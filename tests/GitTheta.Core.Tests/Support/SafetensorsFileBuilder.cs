using System.Buffers.Binary;
using System.Text;

namespace GitTheta.Core.Tests.Support;

/// <summary>
/// Writes safetensors files for tests, independently of Core's code: JSON header written by hand,
/// data laid out in the order tensors were added, header padded with spaces like the reference library.
/// </summary>
internal sealed class SafetensorsFileBuilder
{
    private readonly List<(string Name, string DType, long[] Shape, byte[] Data)> tensors = new();
    private readonly List<(string Key, string Value)> metadata = new();

    /// <summary>Pads the JSON header with spaces until its length is a multiple of this (1 = no padding).</summary>
    public int HeaderAlignment { get; set; } = 8;

    /// <summary>When true, the JSON lists tensors in the reverse of their data order.</summary>
    public bool ReverseJsonOrder { get; set; }

    /// <summary>When true, <c>__metadata__</c> comes last in the JSON rather than first.</summary>
    public bool MetadataLast { get; set; }

    public SafetensorsFileBuilder Add(string name, string dtype, long[] shape, byte[] data)
    {
        tensors.Add((name, dtype, shape, data));
        return this;
    }

    public SafetensorsFileBuilder AddMetadata(string key, string value)
    {
        metadata.Add((key, value));
        return this;
    }

    public byte[] Build()
    {
        var entries = new List<string>();
        long offset = 0;
        foreach (var (name, dtype, shape, data) in tensors)
        {
            entries.Add($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + data.Length}]}}");
            offset += data.Length;
        }

        if (ReverseJsonOrder)
        {
            entries.Reverse();
        }

        if (metadata.Count > 0)
        {
            var metadataJson = "\"__metadata__\":{" + string.Join(",", metadata.Select(m => $"\"{m.Key}\":\"{m.Value}\"")) + "}";
            if (MetadataLast)
            {
                entries.Add(metadataJson);
            }
            else
            {
                entries.Insert(0, metadataJson);
            }
        }

        var json = "{" + string.Join(",", entries) + "}";
        while (json.Length % HeaderAlignment != 0)
        {
            json += " ";
        }

        return Assemble(Encoding.UTF8.GetBytes(json), tensors.SelectMany(t => t.Data).ToArray());
    }

    /// <summary>An 8-byte little-endian header length, the header, then the data.</summary>
    public static byte[] Assemble(byte[] header, byte[] data) => Assemble((ulong)header.Length, header, data);

    /// <summary>Like <see cref="Assemble(byte[], byte[])"/> but with any claimed header length.</summary>
    public static byte[] Assemble(ulong claimedHeaderLength, byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, claimedHeaderLength);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>A file whose header is exactly <paramref name="json"/> followed by <paramref name="dataLength"/> zero bytes.</summary>
    public static byte[] FromJson(string json, int dataLength) => Assemble(Encoding.UTF8.GetBytes(json), new byte[dataLength]);
}
