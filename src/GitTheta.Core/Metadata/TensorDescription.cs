using GitTheta.Core.Hashing;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Metadata;

/// <summary>The "tensor" part of a parameter entry: what the value is, and its LSH signature.</summary>
public sealed record TensorDescription(DType DType, IReadOnlyList<long> Shape, LshSignature Lsh)
{
    public TensorInfo ToInfo(string name) => new(name, DType, Shape);
}
