using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Storage;

/// <summary>
/// The header of every stored object: a canonical safetensors header for the tensors laid out back to back in the
/// given order. It is part of each object's bytes and so of its oid: the same tensors must always give the same
/// header, or existing repositories would stop finding their objects.
/// </summary>
internal static class StoredObjectHeader
{
    /// <summary>The header (length prefix included) of an object holding <paramref name="tensors"/> in this order.</summary>
    public static byte[] For(IReadOnlyList<TensorInfo> tensors) =>
        SafetensorsObject.BuildHeader(tensors.Select(t => (t.Name, t.DType, t.Shape)).ToList());
}
