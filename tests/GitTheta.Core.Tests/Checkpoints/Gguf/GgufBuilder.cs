using System.Buffers.Binary;
using System.Text;

namespace GitTheta.Core.Tests.Checkpoints.Gguf;

/// <summary>
/// Writes GGUF files from the specification (little-endian; KV metadata, tensor infos, padding to the
/// alignment, tensor data each padded to the alignment), independently of the product's parser.
/// </summary>
internal sealed class GgufBuilder
{
    private readonly List<byte[]> keyValues = new();
    private readonly List<(string Name, ulong[] Dims, uint Type, byte[] Data)> tensors = new();

    public uint Version { get; init; } = 3;

    /// <summary>When set, written as general.alignment; otherwise the default 32 applies.</summary>
    public uint? Alignment { get; init; }

    public ulong? TensorCountOverride { get; set; }

    public ulong? KeyCountOverride { get; set; }

    public GgufBuilder Key(string key, uint type, byte[] value)
    {
        keyValues.Add(Concat(String(key), U32(type), value));
        return this;
    }

    public GgufBuilder Tensor(string name, ulong[] dims, uint type, byte[] data)
    {
        tensors.Add((name, dims, type, data));
        return this;
    }

    public byte[] Build()
    {
        var alignment = Alignment ?? 32;
        var header = new MemoryStream();
        header.Write(U32(0x46554747));
        header.Write(U32(Version));
        header.Write(U64(TensorCountOverride ?? (ulong)tensors.Count));
        var keys = new List<byte[]>(keyValues);
        if (Alignment is { } a)
        {
            keys.Insert(0, Concat(String("general.alignment"), U32(4), U32(a)));
        }

        header.Write(U64(KeyCountOverride ?? (ulong)keys.Count));
        foreach (var kv in keys)
        {
            header.Write(kv);
        }

        ulong offset = 0;
        foreach (var (name, dims, type, data) in tensors)
        {
            header.Write(String(name));
            header.Write(U32((uint)dims.Length));
            foreach (var dim in dims)
            {
                header.Write(U64(dim));
            }

            header.Write(U32(type));
            header.Write(U64(offset));
            offset += (ulong)data.Length;
            offset += (alignment - (offset % alignment)) % alignment;
        }

        Pad(header, alignment);
        foreach (var (_, _, _, data) in tensors)
        {
            header.Write(data);
            Pad(header, alignment);
        }

        return header.ToArray();
    }

    public static byte[] String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return Concat(U64((ulong)utf8.Length), utf8);
    }

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static void Pad(Stream stream, uint alignment)
    {
        while (stream.Length % alignment != 0)
        {
            stream.WriteByte(0);
        }
    }
}
