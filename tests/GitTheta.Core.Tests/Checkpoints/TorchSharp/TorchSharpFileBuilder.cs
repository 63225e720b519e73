namespace GitTheta.Core.Tests.Checkpoints.TorchSharp;

/// <summary>
/// Bytes laid out the way TorchSharp's save_state_dict writes them (BinaryWriter strings, LEB128 fields), with every
/// field settable to a value TorchSharp would never write: the hostile-input tests' source of bad files.
/// </summary>
internal sealed class TorchSharpFileBuilder
{
    private readonly MemoryStream output = new();

    public static byte[] Leb128(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return bytes.ToArray();
    }

    public TorchSharpFileBuilder Count(ulong count) => Raw(Leb128(count));

    public TorchSharpFileBuilder Name(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        return Raw(Leb128((ulong)bytes.Length)).Raw(bytes);
    }

    public TorchSharpFileBuilder Header(ulong scalarType, params ulong[] shape)
    {
        Raw(Leb128(scalarType)).Raw(Leb128((ulong)shape.Length));
        foreach (var dim in shape)
        {
            Raw(Leb128(dim));
        }

        return this;
    }

    /// <summary>A whole float32 entry with <paramref name="elements"/> zero values.</summary>
    public TorchSharpFileBuilder Float32(string name, int elements) => Name(name).Header(6, (ulong)elements).Raw(new byte[elements * 4]);

    public TorchSharpFileBuilder Raw(byte[] bytes)
    {
        output.Write(bytes);
        return this;
    }

    public byte[] Build() => output.ToArray();
}
