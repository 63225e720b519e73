using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Merges;

/// <summary>Reads a checkpoint's container object (the format's non-tensor bytes) from the store, verified.</summary>
internal static class StoredContainer
{
    public static byte[] Read(LfsObjectStore store, ObjectRef reference, string path)
    {
        var what = $"{path}: checkpoint container";
        using var stream = store.OpenRead(reference.Oid, what);
        var header = SafetensorsObject.ReadHeader(stream, what);
        if (header.Entries.Count != 1 || header.Entries[0].Info.Name != ThetaCleaner.ContainerTensorName || header.Entries[0].Info.DType != DType.U8
            || header.DataLength > Array.MaxLength)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: object {reference.Oid} is not a checkpoint container; run 'git theta verify'.");
        }

        var bytes = new byte[header.DataLength];
        stream.ReadExactly(bytes);
        stream.VerifyToEnd();
        return bytes;
    }

    /// <summary>The container object for <paramref name="container"/> bytes, staged in <paramref name="transaction"/> as the clean stores it.</summary>
    public static ObjectRef Store(ObjectTransaction transaction, byte[] container)
    {
        var header = SafetensorsObject.BuildHeader(new[] { (ThetaCleaner.ContainerTensorName, DType.U8, (IReadOnlyList<long>)new long[] { container.Length }) });
        return transaction.Add(header, container);
    }
}
