using GitTheta.Core.Metadata;

namespace GitTheta.Core.Repositories;

/// <summary>One parameter group (a tensor) of a checkpoint, as its metadata describes it; reading it costs nothing.</summary>
public sealed class ThetaGroup
{
    internal ThetaGroup(string name, ParameterEntry entry)
    {
        Name = name;
        Entry = entry;
        var info = entry.Tensor.ToInfo(name);
        DType = Tensors.DTypes.Name(info.DType);
        Shape = info.Shape.ToArray();
        ElementCount = info.ElementCount;
        ValueByteLength = info.ByteLength;
        UpdateType = entry.Update.Type;
        StoredBytes = entry.AllObjects.DistinctBy(o => o.Oid).Sum(o => o.Size);
    }

    /// <summary>The group's name in the checkpoint (<c>encoder.layer.0.attention.query.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The element type as safetensors names it: F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U64, U32, U16, U8 or BOOL.</summary>
    public string DType { get; }

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>How many elements the tensor has (the product of <see cref="Shape"/>).</summary>
    public long ElementCount { get; }

    /// <summary>The size of the value in bytes, little-endian and row-major as the checkpoint holds it: what <see cref="ThetaCheckpoint.ReadTensor(string, Span{byte})"/> writes.</summary>
    public long ValueByteLength { get; }

    /// <summary>How the value is stored: <c>dense</c>, or an incremental update type (<c>sparse</c>, <c>low-rank</c>, <c>ia3</c>) applied to an earlier value.</summary>
    public string UpdateType { get; }

    /// <summary>The bytes of the stored objects the value is built from (its own object and, for an update, every object of its chain), in the object store or, for small ones, inside the metadata.</summary>
    public long StoredBytes { get; }

    internal ParameterEntry Entry { get; }

    /// <summary>"F32 [768, 768]".</summary>
    public override string ToString() => $"{DType} [{string.Join(", ", Shape)}]";
}
