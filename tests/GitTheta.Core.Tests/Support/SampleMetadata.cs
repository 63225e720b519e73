using System.Security.Cryptography;
using System.Text;
using GitTheta.Core.Hashing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Support;

/// <summary>Hand-made theta metadata for serializer and diff tests.</summary>
internal static class SampleMetadata
{
    public static string Oid(string seed) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(seed))).ToLowerInvariant();

    public static ParameterEntry Entry(string seed, DType dtype = DType.F32, long[]? shape = null, UpdateDescription? update = null) =>
        new(
            new TensorDescription(dtype, shape ?? new long[] { 2, 3 }, new LshSignature(Enumerable.Range(0, 16).Select(i => seed.Sum(c => (long)c) - (i * 37)).ToArray())),
            new ObjectRef(Oid(seed), 100 + seed.Length),
            update ?? UpdateDescription.Dense);

    /// <summary>Parameters added in the given order (insertion order must not matter to the output).</summary>
    public static ThetaMetadata Create(params string[] names)
    {
        var parameters = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            parameters[name] = Entry(name);
        }

        return new ThetaMetadata("safetensors", new ObjectRef(Oid("container"), 321), parameters);
    }
}
