using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Merges;

/// <summary>
/// The values of one conflicting group, read through the entry's own update type (dense, sparse, low-rank, …: its
/// <see cref="IUpdateType.Materialize"/> rebuilds the full value) and widened to float64.
/// </summary>
internal sealed class GroupValueReader : IGroupValues
{
    private readonly MergeGroup group;
    private readonly UpdateContext context;
    private readonly UpdateTypeRegistry updates;
    private readonly IObjectFetcher? fetcher;
    private readonly Dictionary<MergeSide, double[]> cache = new();

    public GroupValueReader(MergeGroup group, UpdateContext context, UpdateTypeRegistry updates, IObjectFetcher? fetcher)
    {
        this.group = group;
        this.context = context;
        this.updates = updates;
        this.fetcher = fetcher;
    }

    public double[] Get(MergeSide side)
    {
        if (cache.TryGetValue(side, out var cached))
        {
            return cached;
        }

        var entry = group.Entry(side) ?? throw new InvalidOperationException($"{side.Label()} has no parameter '{group.Name}'");
        var info = entry.Tensor.ToInfo(group.Name);
        var where = $"{context.Path}: parameter '{group.Name}' ({side.Label()})";
        if (info.ByteLength > Array.MaxLength || info.ElementCount > Array.MaxLength)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{where} has {info.ElementCount} elements, too many to merge numerically in memory; resolve it with ours, theirs or base.");
        }

        if (!context.Store.Contains(entry.Object) && fetcher is not null)
        {
            fetcher.Fetch(new[] { entry.Object });
        }

        var bytes = new byte[info.ByteLength];
        var output = new MemoryStream(bytes, 0, bytes.Length, writable: true, publiclyVisible: true);
        updates.Get(entry.Update.Type, where).Materialize(context, info, entry, output);
        if (output.Position != bytes.Length)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{where}: the '{entry.Update.Type}' update rebuilt {output.Position} bytes, expected {bytes.Length}; run 'git theta verify'.");
        }

        var values = new double[info.ElementCount];
        ElementConverter.ToDouble(info.DType, bytes, values);
        cache[side] = values;
        return values;
    }
}
