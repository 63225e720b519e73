using GitTheta.Core.Hashing;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Merges;

/// <summary>Hand-made entries for merge tests: the object id and the LSH signature are chosen independently.</summary>
internal static class MergeEntries
{
    public static ParameterEntry Entry(string objectSeed, long lshSeed, DType dtype = DType.F32, long[]? shape = null, UpdateDescription? update = null) =>
        new(
            new TensorDescription(dtype, shape ?? new long[] { 2, 3 }, Signature(lshSeed)),
            new ObjectRef(SampleMetadata.Oid(objectSeed), 100),
            update ?? UpdateDescription.Dense);

    /// <summary>Signatures of different seeds are far apart (distance ≥ 1e6·atol); equal seeds are equal.</summary>
    public static LshSignature Signature(long seed) => new(Enumerable.Range(0, 16).Select(i => (seed * 1_000_000) + i).ToArray());

    public static MergeGroup Group(GroupMergeState state, ParameterEntry? ours, ParameterEntry? theirs, ParameterEntry? ancestor, string name = "w") =>
        new(name, state, ours, theirs, ancestor);

    public static GroupStateClassifier Classifier() => new(new EntryEquivalence(atol: 1e-8, bucketWidth: 1e-8));
}
