using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// A torch.save zip written without PyTorch: <c>{key: {'w': tensor}}</c> with one F32 [2, 3] storage, where the
/// outer key is any pickle opcode the test chooses (a string, a huge integer).
/// </summary>
public static class TorchZipFile
{
    /// <summary>The pickle opcodes of a string key.</summary>
    public static byte[] StringKey(string value) => Unicode(value);

    /// <summary>LONG4 of <paramref name="bytes"/> bytes, every byte set.</summary>
    public static byte[] IntegerKey(int bytes)
    {
        var op = new byte[5 + bytes];
        op[0] = 0x8b;
        BinaryPrimitives.WriteInt32LittleEndian(op.AsSpan(1), bytes);
        op.AsSpan(5).Fill(0x5a);
        return op;
    }

    public static byte[] Build(byte[] key, float[] values)
    {
        var pickle = new MemoryStream();
        pickle.Write(new byte[] { 0x80, 2, (byte)'}', (byte)'(' });
        pickle.Write(key);
        pickle.Write(new byte[] { (byte)'}', (byte)'(' });
        pickle.Write(Unicode("w"));
        pickle.Write(Global("torch._utils", "_rebuild_tensor_v2"));
        pickle.Write(new byte[] { (byte)'(', (byte)'(' });
        pickle.Write(Unicode("storage"));
        pickle.Write(Global("torch", "FloatStorage"));
        pickle.Write(Unicode("0"));
        pickle.Write(Unicode("cpu"));
        pickle.Write(Int(6));
        pickle.Write(new byte[] { (byte)'t', (byte)'Q' });
        pickle.Write(Int(0));
        pickle.WriteByte((byte)'(');
        pickle.Write(Int(2));
        pickle.Write(Int(3));
        pickle.Write(new byte[] { (byte)'t', (byte)'(' });
        pickle.Write(Int(3));
        pickle.Write(Int(1));
        pickle.Write(new byte[] { (byte)'t', 0x89 });
        pickle.Write(Global("collections", "OrderedDict"));
        pickle.Write(new byte[] { (byte)')', (byte)'R', (byte)'t', (byte)'R', (byte)'u', (byte)'u', (byte)'.' });

        var data = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        }

        var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "archive/data.pkl", pickle.ToArray());
            Add(zip, "archive/data/0", data);
            Add(zip, "archive/version", "3\n"u8.ToArray());
        }

        return file.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        entry.Write(content);
    }

    private static byte[] Unicode(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var op = new byte[5 + utf8.Length];
        op[0] = (byte)'X';
        BinaryPrimitives.WriteInt32LittleEndian(op.AsSpan(1), utf8.Length);
        utf8.CopyTo(op, 5);
        return op;
    }

    private static byte[] Global(string module, string name) => Encoding.ASCII.GetBytes($"c{module}\n{name}\n");

    private static byte[] Int(int value)
    {
        var op = new byte[5];
        op[0] = (byte)'J';
        BinaryPrimitives.WriteInt32LittleEndian(op.AsSpan(1), value);
        return op;
    }
}
