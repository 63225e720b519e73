using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>One named tensor of an update (a sparse update's indices, a low-rank factor, an IA3 vector), with its raw bytes.</summary>
internal sealed record UpdateTensor(TensorInfo Info, ReadOnlyMemory<byte> Data)
{
    public static UpdateTensor Of(string name, DType dtype, IReadOnlyList<long> shape, byte[] data) => new(new TensorInfo(name, dtype, shape), data);

    /// <summary>The elements widened to float64.</summary>
    public double[] ToDoubles()
    {
        var values = new double[Info.ElementCount];
        ElementConverter.ToDouble(Info.DType, Data.Span, values);
        return values;
    }
}
