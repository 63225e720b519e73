using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Merges;

/// <summary>One parameter group of a three-way merge: its three entries (null where the version lacks it) and its state.</summary>
internal sealed record MergeGroup(string Name, GroupMergeState State, ParameterEntry? Ours, ParameterEntry? Theirs, ParameterEntry? Base)
{
    public ParameterEntry? Entry(MergeSide side) => side switch
    {
        MergeSide.Ours => Ours,
        MergeSide.Theirs => Theirs,
        _ => Base,
    };

    public bool Has(MergeSide side) => Entry(side) is not null;

    /// <summary>The group's name, dtype and shape on one side (which must have it).</summary>
    public TensorInfo Info(MergeSide side) =>
        (Entry(side) ?? throw new InvalidOperationException($"{side.Label()} has no parameter '{Name}'")).Tensor.ToInfo(Name);

    /// <summary>True when every listed side has the group, all with the same dtype and shape: values can be combined.</summary>
    public bool HaveSameLayout(params MergeSide[] sides)
    {
        var first = Entry(sides[0]);
        return first is not null && sides.All(s => Entry(s) is { } e && e.Tensor.ToInfo(Name).SameLayout(first.Tensor.ToInfo(Name)));
    }
}
