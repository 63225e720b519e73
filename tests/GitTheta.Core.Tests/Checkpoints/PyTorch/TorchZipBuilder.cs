using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace GitTheta.Core.Tests.Checkpoints.PyTorch;

/// <summary>
/// Writes stored zip archives independently of the product's reader: with data descriptors and 64-byte
/// aligned data (as torch.save does) or with sizes in the local headers (as a seekable zip writer does).
/// </summary>
internal sealed class TorchZipBuilder
{
    private readonly List<(string Name, byte[] Data)> entries = new();

    public bool DataDescriptors { get; init; } = true;

    public bool Align { get; init; } = true;

    public TorchZipBuilder Add(string name, byte[] data)
    {
        entries.Add((name, data));
        return this;
    }

    public byte[] Build()
    {
        var output = new MemoryStream();
        var central = new MemoryStream();
        foreach (var (name, data) in entries)
        {
            var offset = (uint)output.Length;
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var crc = Crc32.HashToUInt32(data);
            var flags = (ushort)(DataDescriptors ? 0x0808 : 0x0800);
            var extra = Array.Empty<byte>();
            if (Align)
            {
                var unpadded = output.Length + 30 + nameBytes.Length + 4;
                var padding = (int)((64 - (unpadded % 64)) % 64);
                extra = new byte[4 + padding];
                BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x4246); // "FB", as PyTorch writes it
                BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)padding);
                extra.AsSpan(4).Fill((byte)'Z');
            }

            var local = new byte[30];
            BinaryPrimitives.WriteUInt32LittleEndian(local, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(6), flags);
            if (!DataDescriptors)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(14), crc);
                BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(18), (uint)data.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(22), (uint)data.Length);
            }

            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(26), (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(28), (ushort)extra.Length);
            output.Write(local);
            output.Write(nameBytes);
            output.Write(extra);
            output.Write(data);
            if (DataDescriptors)
            {
                var descriptor = new byte[16];
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 0x08074b50);
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(4), crc);
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(8), (uint)data.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(12), (uint)data.Length);
                output.Write(descriptor);
            }

            var record = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(record, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(8), flags);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(16), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(20), (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(24), (uint)data.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(28), (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(42), offset);
            central.Write(record);
            central.Write(nameBytes);
        }

        var directoryOffset = (uint)output.Length;
        central.Position = 0;
        central.CopyTo(output);
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)central.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), directoryOffset);
        output.Write(end);
        return output.ToArray();
    }

    /// <summary>A checkpoint of one F32 tensor "w" of shape [2, 3] over storage "0".</summary>
    public static byte[] OneTensor(bool dataDescriptors = true, byte[]? pickle = null, byte[]? data = null) =>
        new TorchZipBuilder { DataDescriptors = dataDescriptors }
            .Add("archive/data.pkl", pickle ?? OneTensorPickle())
            .Add("archive/data/0", data ?? Enumerable.Range(0, 24).Select(i => (byte)i).ToArray())
            .Add("archive/version", "3\n"u8.ToArray())
            .Build();

    public static byte[] OneTensorPickle() =>
        new PickleBuilder().EmptyDict().Mark().String("w").Tensor("FloatStorage", "0", 6, 0, new[] { 2, 3 }, new[] { 3, 1 }).SetItems().Stop().ToArray();
}
