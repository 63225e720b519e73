using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// The content of an incremental update's object: named tensors, stored as one canonical safetensors file in the
/// order given, so any safetensors reader can open it and equal updates give equal oids.
/// </summary>
public sealed class UpdateTensors
{
    /// <summary>An update object larger than this is refused when read (no update type comes near it for a group of at most 2 GiB).</summary>
    private const long MaxObjectBytes = 8L << 30;

    private readonly IReadOnlyList<UpdateTensor> tensors;

    public UpdateTensors(IReadOnlyList<UpdateTensor> tensors)
    {
        this.tensors = tensors;
    }

    public IReadOnlyList<UpdateTensor> Tensors => tensors;

    /// <summary>Bytes of tensor data, without the header.</summary>
    public long DataLength => tensors.Sum(t => (long)t.Data.Length);

    /// <summary>Bytes of the stored object: header and data.</summary>
    public long ObjectLength => Header().Length + DataLength;

    public UpdateTensor? Find(string name) => tensors.FirstOrDefault(t => t.Info.Name == name);

    /// <summary>The tensor named <paramref name="name"/>; a stored update without it is corrupt.</summary>
    public UpdateTensor Get(string name, string where) =>
        Find(name) ?? throw new ThetaException(DiagnosticIds.CorruptObject, $"{where}: the stored update has no tensor '{name}'; run 'git theta verify'.");

    /// <summary>Stages the object in the clean's transaction.</summary>
    public ObjectRef Stage(ObjectTransaction transaction)
    {
        var data = new byte[DataLength];
        var offset = 0;
        foreach (var tensor in tensors)
        {
            tensor.Data.Span.CopyTo(data.AsSpan(offset));
            offset += tensor.Data.Length;
        }

        return transaction.Add(Header(), data);
    }

    /// <summary>Reads and verifies a stored update object.</summary>
    public static UpdateTensors Read(LfsObjectStore store, ObjectRef reference, string what)
    {
        using var stream = store.OpenRead(reference.Oid, what);
        var header = SafetensorsObject.ReadHeader(stream, what);
        if (header.DataLength > MaxObjectBytes || header.DataLength > reference.Size)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored update {reference.Oid} claims {header.DataLength} bytes of data; run 'git theta verify'.");
        }

        var result = new List<UpdateTensor>(header.Entries.Count);
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

            result.Add(new UpdateTensor(entry.Info, data));
        }

        stream.VerifyToEnd();
        return new UpdateTensors(result);
    }

    private byte[] Header() =>
        SafetensorsObject.BuildHeader(tensors.Select(t => (t.Info.Name, t.Info.DType, t.Info.Shape)).ToList());
}
