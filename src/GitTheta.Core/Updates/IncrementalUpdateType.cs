using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>What every incremental type shares: a value with nothing to build on is stored dense, and checkout walks the chain.</summary>
internal abstract class IncrementalUpdateType : IIncrementalUpdateType
{
    public abstract string Name { get; }

    public bool IsIncremental => true;

    public virtual IReadOnlyList<string> UpdateDataKeys => Array.Empty<string>();

    public abstract bool Supports(TensorInfo info);

    /// <summary>A group with no previous value (a new group, the first commit) has nothing to build on: it is stored dense.</summary>
    public StoredValue Store(StagingContext context, TensorInfo info, ReadOnlyMemory<byte> value) =>
        context.Updates.Get(DenseUpdate.TypeName, context.Path).Store(context, info, value);

    public void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Stream output) =>
        UpdateChain.Materialize(context, info, entry, output);

    public void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Memory<byte> destination) =>
        UpdateChain.Materialize(context, info, entry, destination);

    public abstract UpdateInference Infer(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value);

    public virtual UpdateTensors FromUpdateData(TensorInfo info, IReadOnlyDictionary<string, UpdateTensor> tensors, string where) =>
        throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"{where}: the '{Name}' update type takes no update data; leave out --update-data, or use low-rank or ia3.");

    public abstract void Apply(TensorInfo info, UpdateTensors update, Span<byte> value, string where);

    /// <summary>A stored update that does not fit the group it belongs to is corrupt (or written by a broken tool).</summary>
    protected static ThetaException Corrupt(string where, string what) =>
        new(DiagnosticIds.CorruptObject, $"{where}: the stored update {what}; run 'git theta verify' and restore the file from a good commit.");
}
