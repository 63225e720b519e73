using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Tensors;

/// <summary>What a parameter group is, without its values: name, element type and shape.</summary>
internal sealed record TensorInfo(string Name, DType DType, IReadOnlyList<long> Shape)
{
    public long ElementCount => CountElements(Shape, Name);

    public long ByteLength => checked(ElementCount * DTypes.SizeOf(DType));

    public bool SameLayout(TensorInfo other) =>
        DType == other.DType && Shape.SequenceEqual(other.Shape);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public static long CountElements(IReadOnlyList<long> shape, string name)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"tensor '{name}' has a negative dimension {dim}.");
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"tensor '{name}' has a shape whose element count overflows.");
            }
        }

        return count;
    }
}
