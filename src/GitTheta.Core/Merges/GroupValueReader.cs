using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Merges;

/// <summary>
/// The values of one conflicting group, read through the entry's own update type (dense, sparse, low-rank, …: its
/// <see cref="IUpdateType.Materialize(UpdateContext, TensorInfo, Metadata.ParameterEntry, Memory{byte})"/> rebuilds the full value) and widened to float64.
/// </summary>
internal sealed class GroupValueReader : IGroupValues
{
    private readonly MergeGroup group;
    private readonly UpdateContext context;
    private readonly IObjectFetcher? fetcher;
    private readonly Dictionary<MergeSide, byte[]> bytes = new();
    private readonly Dictionary<MergeSide, double[]> values = new();

    public GroupValueReader(MergeGroup group, UpdateContext context, IObjectFetcher? fetcher)
    {
        this.group = group;
        this.context = context;
        this.fetcher = fetcher;
    }

    public double[] Get(MergeSide side)
    {
        if (values.TryGetValue(side, out var cached))
        {
            return cached;
        }

        var entry = group.Entry(side)!;
        var result = new double[entry.Tensor.ToInfo(group.Name).ElementCount];
        ElementConverter.ToDouble(entry.Tensor.DType, Bytes(side), result);
        values[side] = result;
        return result;
    }

    /// <summary>The value on <paramref name="side"/> in its own dtype, exactly as checkout would write it; read once, then cached.</summary>
    public byte[] Bytes(MergeSide side)
    {
        if (bytes.TryGetValue(side, out var cached))
        {
            return cached;
        }

        var entry = group.Entry(side) ?? throw new InvalidOperationException($"{side.Label()} has no parameter '{group.Name}'");
        var info = entry.Tensor.ToInfo(group.Name);
        var where = $"{context.Path}: parameter '{group.Name}' ({side.Label()})";
        if (info.ByteLength > Array.MaxLength)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{where} has {info.ElementCount} elements, too many to merge numerically; resolve it with ours, theirs or base.");
        }

        // The entry's object and those of its update chain, in one git-lfs session.
        var missing = entry.Objects.Where(o => !context.Store.Contains(o)).ToList();
        if (missing.Count > 0 && fetcher is not null)
        {
            fetcher.Fetch(missing);
        }

        var value = new byte[info.ByteLength];
        context.Updates.Get(entry.Update.Type, where).Materialize(context, info, entry, value.AsMemory());

        bytes[side] = value;
        return value;
    }
}
