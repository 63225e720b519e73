using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// How a group's new value is stored, and how it is rebuilt on checkout. Dense stores the value;
/// incremental types (sparse, low-rank, IA3) store an update on top of a previous value.
/// </summary>
internal interface IUpdateType
{
    string Name { get; }

    /// <summary>True when the stored object is applied on top of a base value rather than being the value.</summary>
    bool IsIncremental { get; }

    /// <summary>
    /// Stores <paramref name="value"/> with nothing to build on; objects go into the context's transaction, not the
    /// store. Incremental types store such a value dense: their updates are made by <see cref="UpdateWriter"/>.
    /// </summary>
    StoredValue Store(StagingContext context, TensorInfo info, ReadOnlyMemory<byte> value);

    /// <summary>
    /// Writes the group's full value (exactly info.ByteLength bytes) to <paramref name="output"/>; for an incremental
    /// entry that means walking its update chain (<see cref="UpdateChain"/>), fetching its objects through the
    /// context's fetcher when it has one.
    /// </summary>
    void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Stream output);

    /// <summary>
    /// Writes the group's full value into <paramref name="destination"/>, which is exactly info.ByteLength bytes long,
    /// or throws: the fast path for a caller that holds the buffer (the smudge prefetcher, merge, diff), with no copy
    /// between the store and the caller's memory.
    /// </summary>
    void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Memory<byte> destination);
}
