using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// How a group's new value is stored, and how it is rebuilt on checkout. Dense stores the value;
/// incremental types (sparse, low-rank, IA3) store an update on top of a previous value.
/// </summary>
public interface IUpdateType
{
    string Name { get; }

    /// <summary>True when the stored object is applied on top of a base value rather than being the value.</summary>
    bool IsIncremental { get; }

    /// <summary>Stores <paramref name="value"/>; objects go into the context's transaction, not the store.</summary>
    StoredValue Store(UpdateContext context, TensorInfo info, ReadOnlyMemory<byte> value);

    /// <summary>Writes the group's full value (exactly info.ByteLength bytes) to <paramref name="output"/>.</summary>
    void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Stream output);
}
