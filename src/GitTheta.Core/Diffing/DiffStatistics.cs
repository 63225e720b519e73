using GitTheta.Core.Checkpoints.Gguf;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Diffing;

/// <summary>
/// The numbers behind <c>git theta diff --stat</c>: for every group a metadata diff lists, how much it changed.
/// Values are read one group at a time from each side, so memory holds about two groups, never a checkpoint.
/// </summary>
internal static class DiffStatistics
{
    /// <param name="diff">The groups to describe.</param>
    /// <param name="checkpointType">The checkpoint's format (either side's), which tells raw quantized blocks from numbers.</param>
    /// <param name="before">Values of the old side.</param>
    /// <param name="after">Values of the new side.</param>
    /// <returns>One entry per change of <paramref name="diff"/>, in its order.</returns>
    public static IReadOnlyList<GroupStatistics> Compute(MetadataDiff diff, string checkpointType, IGroupValueSource before, IGroupValueSource after)
    {
        var results = new Dictionary<string, GroupStatistics>(StringComparer.Ordinal);
        var measured = new List<GroupChange>();
        foreach (var change in diff.Changes)
        {
            var entry = change.After ?? change.Before!;
            var statistics = new GroupStatistics(change.Name, change.Kind, entry.Tensor.ToInfo(change.Name).ElementCount);
            if (change.Kind != ChangeKind.Modified)
            {
                results[change.Name] = statistics;
            }
            else if (LayoutChange(change.Before!.Tensor, change.After!.Tensor) is { } layout)
            {
                results[change.Name] = statistics with { LayoutChange = layout };
            }
            else
            {
                measured.Add(change);
            }
        }

        before.Prepare(measured.Select(c => (c.Name, c.Before!)).ToList());
        after.Prepare(measured.Select(c => (c.Name, c.After!)).ToList());
        foreach (var change in InReadingOrder(measured, after.ReadingOrder ?? before.ReadingOrder))
        {
            var dtype = change.After!.Tensor.DType;
            var rawBlocks = dtype == DType.U8 && string.Equals(checkpointType, GgufFormat.FormatName, StringComparison.OrdinalIgnoreCase);
            var delta = ValueDeltaCalculator.Compare(dtype, before.Read(change.Name, change.Before!), after.Read(change.Name, change.After), rawBlocks);
            results[change.Name] = new GroupStatistics(change.Name, change.Kind, delta.Total) { Delta = delta };
        }

        return diff.Changes.Select(c => results[c.Name]).ToList();
    }

    private static string? LayoutChange(TensorDescription before, TensorDescription after)
    {
        var parts = new List<string>();
        if (before.DType != after.DType)
        {
            parts.Add($"dtype {before.DType} -> {after.DType}");
        }

        if (!before.Shape.SequenceEqual(after.Shape))
        {
            parts.Add($"shape [{string.Join(", ", before.Shape)}] -> [{string.Join(", ", after.Shape)}]");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>The groups in the order a checkpoint file yields them, so it is read once, front to back.</summary>
    private static IEnumerable<GroupChange> InReadingOrder(List<GroupChange> changes, IReadOnlyList<string>? order)
    {
        if (order is null)
        {
            return changes;
        }

        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < order.Count; i++)
        {
            rank.TryAdd(order[i], i);
        }

        return changes.OrderBy(c => rank.TryGetValue(c.Name, out var r) ? r : int.MaxValue);
    }
}
