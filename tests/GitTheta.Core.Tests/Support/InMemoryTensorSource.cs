using GitTheta.Core.Checkpoints;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Support;

/// <summary>Supplies group bytes from a dictionary and records the order they were asked for.</summary>
internal sealed class InMemoryTensorSource : ITensorDataSource
{
    private readonly IReadOnlyDictionary<string, byte[]> values;

    public InMemoryTensorSource(IReadOnlyDictionary<string, byte[]> values)
    {
        this.values = values;
    }

    public List<string> Requested { get; } = new();

    public void CopyTo(TensorInfo expected, Stream output)
    {
        Requested.Add(expected.Name);
        var bytes = values[expected.Name];
        Assert.Equal(expected.ByteLength, bytes.Length);
        output.Write(bytes);
    }
}
