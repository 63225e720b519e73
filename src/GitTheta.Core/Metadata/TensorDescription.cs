using GitTheta.Core.Hashing;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Metadata;

/// <summary>
/// The "tensor" part of a parameter entry: what the value is, its LSH signature, and (when known) the
/// XXH3 fingerprint of the exact bytes a checkout rebuilds and, for a group cleaned in chunks, of each chunk.
/// </summary>
internal sealed record TensorDescription(DType DType, IReadOnlyList<long> Shape, LshSignature Lsh, string? ContentHash = null, ChunkFingerprints? Chunks = null)
{
    public TensorInfo ToInfo(string name) => new(name, DType, Shape);
}
