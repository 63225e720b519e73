using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// Stores the changed groups of one clean with an incremental update type: inferred from the committed value and
/// the new one, or built from side-loaded update data. Every entry it writes builds on the group's value in the
/// last commit (<see cref="CommittedVersion"/>) and records that value's chain, so checkout needs no history.
/// A group it cannot store that way is left to the caller to store dense, with the reason noted in
/// <see cref="Fallbacks"/>.
/// </summary>
internal sealed class UpdateWriter
{
    private readonly StagingContext context;
    private readonly IUpdateType type;
    private readonly IIncrementalUpdateType? incremental;
    private readonly CommittedVersion? committed;
    private readonly UpdateData? data;
    private readonly EuclideanLsh lsh;

    public UpdateWriter(StagingContext context, IUpdateType type, CommittedVersion? committed, UpdateData? data, EuclideanLsh lsh)
    {
        this.context = context;
        this.type = type;
        incremental = type as IIncrementalUpdateType;
        this.committed = committed;
        this.data = data;
        this.lsh = lsh;
        if (data is not null && (incremental is null || incremental.UpdateDataKeys.Count == 0))
        {
            throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"{context.Path}: the '{type.Name}' update type takes no update data ('{data.Path}'); use --update-type low-rank or ia3 with --update-data.");
        }
    }

    public UpdateFallbacks Fallbacks { get; } = new();

    /// <summary>True when changed groups should be tried as incremental updates (or noted as stored dense).</summary>
    public bool IsIncremental => incremental is not null;

    /// <summary>The side-loaded tensors for a group, or null when the update data has none for it (or there is none).</summary>
    public IReadOnlyDictionary<string, UpdateTensor>? UpdateDataFor(TensorInfo info) =>
        data is null ? null : data.For(info.Name, incremental!.UpdateDataKeys, Where(info));

    /// <summary>
    /// The entry for a side-loaded update: the committed value with the update applied. The working file's value of
    /// the group is not used (git theta add then rewrites the file with the staged value).
    /// </summary>
    public ParameterEntry SideLoad(TensorInfo info, IReadOnlyDictionary<string, UpdateTensor> tensors)
    {
        var where = Where(info);
        var baseEntry = CommittedEntry(info) ?? throw new ThetaException(
            DiagnosticIds.InvalidUpdateData,
            $"{where} has update data in '{data!.Path}' but no committed value to apply it to (it is new, or its dtype or shape changed since HEAD); commit the value it applies to first.");
        if (!incremental!.Supports(info))
        {
            throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"{where} is {info.DType}; {type.Name} updates apply to floating-point groups only. Leave it out of the update data.");
        }

        var update = incremental.FromUpdateData(info, tensors, where);
        var value = UpdateChain.Materialize(context, info, baseEntry);
        incremental.Apply(info, update, value, where);
        var signature = Hash(info, value);
        if (baseEntry.Update.Depth + 1 > context.Settings.MaxChainDepth)
        {
            Fallbacks.Add(info.Name, $"its update chain would be deeper than theta.maxChainDepth ({context.Settings.MaxChainDepth}); the update data was applied and the result stored");
            return Dense(info, value, signature);
        }

        if (update.ObjectLength >= info.ByteLength)
        {
            Fallbacks.Add(info.Name, "the update data is not smaller than the value it makes; the update was applied and the result stored");
            return Dense(info, value, signature);
        }

        return Incremental(info, update, baseEntry, signature);
    }

    /// <summary>The group as an incremental update on its committed value, or null (reason noted) to store it dense.</summary>
    public ParameterEntry? TryIncremental(TensorInfo info, ReadOnlyMemory<byte> value)
    {
        if (incremental is null)
        {
            return null;
        }

        if (committed is null)
        {
            Fallbacks.Add(info.Name, "there is no commit yet to build on");
            return null;
        }

        var baseEntry = CommittedEntry(info);
        if (baseEntry is null)
        {
            Fallbacks.Add(info.Name, "HEAD has no value of the same dtype and shape to build on");
            return null;
        }

        if (!incremental.Supports(info))
        {
            Fallbacks.Add(info.Name, $"{type.Name} updates apply to floating-point groups only");
            return null;
        }

        if (baseEntry.Update.Depth + 1 > context.Settings.MaxChainDepth)
        {
            Fallbacks.Add(info.Name, $"its update chain would be deeper than theta.maxChainDepth ({context.Settings.MaxChainDepth})");
            return null;
        }

        byte[] baseValue;
        try
        {
            baseValue = UpdateChain.Materialize(context, info, baseEntry);
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.MissingObject or DiagnosticIds.CorruptObject)
        {
            Fallbacks.Add(info.Name, "its committed value could not be read from the local store (run 'git theta verify')");
            return null;
        }

        var inference = incremental.Infer(context, info, baseValue, value.Span);
        if (inference.Declined is { } reason)
        {
            Fallbacks.Add(info.Name, reason);
            return null;
        }

        return Incremental(info, inference.Update!, baseEntry, Hash(info, inference.Value!));
    }

    /// <remarks>
    /// No content fingerprint: it may only describe bytes a checkout is certain to rebuild, which only a dense
    /// object guarantees; a later clean of this group uses the LSH rule.
    /// </remarks>
    private ParameterEntry Incremental(TensorInfo info, UpdateTensors update, ParameterEntry baseEntry, LshSignature signature)
    {
        var reference = update.Stage(context.Transaction);
        var description = new UpdateDescription(type.Name, committed!.Commit, null, UpdateChain.On(baseEntry));
        return new ParameterEntry(new TensorDescription(info.DType, info.Shape, signature), reference, description);
    }

    private ParameterEntry Dense(TensorInfo info, byte[] value, LshSignature signature)
    {
        var stored = context.Updates.Get(DenseUpdate.TypeName, context.Path).Store(context, info, value);
        return new ParameterEntry(new TensorDescription(info.DType, info.Shape, signature, ContentHash.Of(value)), stored.Object, stored.Update);
    }

    private ParameterEntry? CommittedEntry(TensorInfo info) =>
        committed is not null && committed.Metadata.Parameters.TryGetValue(info.Name, out var entry) && entry.Tensor.ToInfo(info.Name).SameLayout(info)
            ? entry
            : null;

    private LshSignature Hash(TensorInfo info, byte[] value) => lsh.Hash(info.DType, value, Math.Max(1, context.Settings.MaxConcurrency));

    private string Where(TensorInfo info) => $"{context.Path}: parameter '{info.Name}'";
}
