using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Storage;

/// <summary>
/// An incremental update's object: its named tensors back to back, in the order given, under one canonical header
/// (<see cref="SparseObject"/>, <see cref="LowRankObject"/> and <see cref="Ia3Object"/> name them), so any
/// safetensors reader can open it and equal updates give equal oids.
/// </summary>
internal static class UpdateObject
{
    /// <summary>An update object larger than this is refused when read (no update type comes near it for a group of at most 2 GiB).</summary>
    public const long MaxDataBytes = 8L << 30;

    /// <summary>Stages the object holding <paramref name="tensors"/> in <paramref name="transaction"/>.</summary>
    public static ObjectRef Stage(ObjectTransaction transaction, IReadOnlyList<(TensorInfo Info, ReadOnlyMemory<byte> Data)> tensors)
    {
        var data = new byte[tensors.Sum(t => (long)t.Data.Length)];
        var offset = 0;
        foreach (var (_, bytes) in tensors)
        {
            bytes.Span.CopyTo(data.AsSpan(offset));
            offset += bytes.Length;
        }

        return transaction.Add(StoredObjectHeader.For(tensors.Select(t => t.Info).ToList()), data);
    }

    /// <summary>Reads and verifies a stored update object: its tensors in stored order.</summary>
    public static IReadOnlyList<(TensorInfo Info, byte[] Data)> Read(IObjectReader store, ObjectRef reference, string what)
    {
        using var stream = store.OpenRead(reference, what);
        var header = SafetensorsObject.ReadHeader(stream, what);
        if (header.DataLength > MaxDataBytes || header.DataLength > reference.Size)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored update {reference.Oid} claims {header.DataLength} bytes of data; run 'git theta verify'.");
        }

        var result = new List<(TensorInfo, byte[])>(header.Entries.Count);
        foreach (var entry in header.Entries)
        {
            if (entry.End - entry.Begin > Array.MaxLength)
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored update {reference.Oid} holds a tensor of {entry.End - entry.Begin} bytes, more than an update can; run 'git theta verify'.");
            }

            var data = GC.AllocateUninitializedArray<byte>((int)(entry.End - entry.Begin));
            if (stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) != data.Length)
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored update {reference.Oid} is truncated; delete it and run 'git theta fetch'.");
            }

            result.Add((entry.Info, data));
        }

        stream.VerifyToEnd();
        return result;
    }
}
