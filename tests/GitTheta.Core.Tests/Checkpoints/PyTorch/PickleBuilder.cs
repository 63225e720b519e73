using System.Buffers.Binary;
using System.Text;

namespace GitTheta.Core.Tests.Checkpoints.PyTorch;

/// <summary>Writes pickle opcodes by hand (protocol 2, as torch.save does), for inputs no real pickler would make.</summary>
internal sealed class PickleBuilder
{
    private readonly MemoryStream bytes = new();

    public PickleBuilder()
    {
        Op(0x80, 2);
    }

    public PickleBuilder Op(params byte[] raw)
    {
        bytes.Write(raw);
        return this;
    }

    public PickleBuilder Mark() => Op((byte)'(');

    public PickleBuilder Stop() => Op((byte)'.');

    public PickleBuilder Global(string module, string name) => Op((byte)'c').Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Op((byte)'X').Op(length).Op(utf8);
    }

    public PickleBuilder Int(int value)
    {
        var raw = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(raw, value);
        return Op((byte)'J').Op(raw);
    }

    public PickleBuilder Tuple() => Op((byte)'t');

    public PickleBuilder EmptyTuple() => Op((byte)')');

    public PickleBuilder EmptyDict() => Op((byte)'}');

    public PickleBuilder EmptyList() => Op((byte)']');

    public PickleBuilder Reduce() => Op((byte)'R');

    public PickleBuilder SetItems() => Op((byte)'u');

    public PickleBuilder Appends() => Op((byte)'e');

    public PickleBuilder Put(byte index) => Op((byte)'q', index);

    public PickleBuilder Get(byte index) => Op((byte)'h', index);

    public PickleBuilder False() => Op(0x89);

    /// <summary>('storage', torch.{type}, key, 'cpu', count) BINPERSID, as torch.save writes a storage reference.</summary>
    public PickleBuilder Storage(string type, string key, int count) =>
        Mark().String("storage").Global("torch", type).String(key).String("cpu").Int(count).Tuple().Op((byte)'Q');

    /// <summary>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).</summary>
    public PickleBuilder Tensor(string type, string key, int storageCount, int offset, int[] size, int[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark().Storage(type, key, storageCount).Int(offset);
        Mark();
        foreach (var s in size)
        {
            Int(s);
        }

        Tuple().Mark();
        foreach (var s in stride)
        {
            Int(s);
        }

        return Tuple().False().Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
    }

    public byte[] ToArray() => bytes.ToArray();
}
