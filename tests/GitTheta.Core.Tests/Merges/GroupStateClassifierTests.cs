using GitTheta.Core.Hashing;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using static GitTheta.Core.Tests.Merges.MergeEntries;

namespace GitTheta.Core.Tests.Merges;

public class GroupStateClassifierTests
{
    private static readonly ParameterEntry B = Entry("base", 1);
    private static readonly ParameterEntry X = Entry("x", 2);
    private static readonly ParameterEntry Y = Entry("y", 3);

    public static TheoryData<string, string> Cases() => new()
    {
        { "B B B", nameof(GroupMergeState.Unchanged) },
        { "X B B", nameof(GroupMergeState.ChangedByOurs) },
        { "B X B", nameof(GroupMergeState.ChangedByTheirs) },
        { "X X B", nameof(GroupMergeState.ChangedByBothEqually) },
        { "X - -", nameof(GroupMergeState.AddedByOurs) },
        { "- X -", nameof(GroupMergeState.AddedByTheirs) },
        { "X X -", nameof(GroupMergeState.AddedByBothEqually) },
        { "- B B", nameof(GroupMergeState.DeletedByOurs) },
        { "B - B", nameof(GroupMergeState.DeletedByTheirs) },
        { "- - B", nameof(GroupMergeState.DeletedByBoth) },
        { "X Y B", nameof(GroupMergeState.ChangedByBoth) },
        { "X Y -", nameof(GroupMergeState.AddedByBothDifferently) },
        { "X - B", nameof(GroupMergeState.ChangedByOursDeletedByTheirs) },
        { "- X B", nameof(GroupMergeState.DeletedByOursChangedByTheirs) },
    };

    /// <param name="versions">ours, theirs, base: B = the ancestor's value, X and Y two other values, - absent.</param>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_combination_of_versions_has_its_state(string versions, string expectedState)
    {
        var expected = Enum.Parse<GroupMergeState>(expectedState);
        var parts = versions.Split(' ').Select(p => p switch { "B" => B, "X" => X, "Y" => Y, _ => null }).ToArray();
        Assert.Equal(expected, Classifier().Classify(parts[0], parts[1], parts[2]));
    }

    [Fact]
    public void Added_on_both_sides_with_different_values_is_a_conflict_not_a_deletion()
    {
        var state = Classifier().Classify(X, Y, null);
        Assert.Equal(GroupMergeState.AddedByBothDifferently, state);
        Assert.True(state.IsConflict());
    }

    [Fact]
    public void Values_with_equal_signatures_but_different_objects_count_as_the_same_change()
    {
        var ours = Entry("ours-object", 7);
        var theirs = Entry("theirs-object", 7);
        Assert.Equal(GroupMergeState.ChangedByBothEqually, Classifier().Classify(ours, theirs, B));
    }

    [Fact]
    public void A_signature_within_atol_of_the_ancestor_counts_as_unchanged()
    {
        var nudged = new ParameterEntry(new TensorDescription(DType.F32, new long[] { 2, 3 }, new LshSignature(B.Tensor.Lsh.Values.Select((v, i) => i == 0 ? v + 1 : v).ToArray())), new ObjectRef(new string('a', 64), 100), UpdateDescription.Dense);
        Assert.Equal(GroupMergeState.ChangedByTheirs, Classifier().Classify(nudged, X, B));
    }

    [Fact]
    public void Degenerate_signatures_compare_by_object_only()
    {
        var nan = new LshSignature(Enumerable.Repeat(long.MinValue, 16).ToArray());
        var ours = new ParameterEntry(new TensorDescription(DType.F32, new long[] { 2, 3 }, nan), new ObjectRef(new string('a', 64), 100), UpdateDescription.Dense);
        var theirs = ours with { Object = new ObjectRef(new string('b', 64), 100) };
        Assert.Equal(GroupMergeState.ChangedByBoth, Classifier().Classify(ours, theirs, B));
        Assert.Equal(GroupMergeState.ChangedByOurs, Classifier().Classify(ours, B, B));
    }

    [Fact]
    public void A_changed_dtype_or_shape_is_a_change_even_with_the_same_signature()
    {
        var reshaped = B with { Tensor = B.Tensor with { Shape = new long[] { 3, 2 } } };
        var retyped = B with { Tensor = B.Tensor with { DType = DType.F16 } };
        Assert.Equal(GroupMergeState.ChangedByOurs, Classifier().Classify(reshaped, B, B));
        Assert.Equal(GroupMergeState.ChangedByBoth, Classifier().Classify(reshaped, retyped, B));
    }

    [Fact]
    public void The_same_object_under_a_different_update_description_is_compared_by_signature()
    {
        var incremental = B with { Update = new UpdateDescription("sparse", "0123456789012345678901234567890123456789") };
        Assert.Equal(GroupMergeState.Unchanged, Classifier().Classify(incremental, B, B));
    }

    [Fact]
    public void Classify_lists_every_group_of_the_three_versions_in_name_order()
    {
        var ancestor = Metadata(("b", B), ("gone", B));
        var ours = Metadata(("b", X), ("new", X));
        var theirs = Metadata(("b", B), ("gone", B), ("a", Y));
        var groups = Classifier().Classify(ancestor, ours, theirs);
        Assert.Equal(new[] { "a", "b", "gone", "new" }, groups.Select(g => g.Name));
        Assert.Equal(
            new[] { GroupMergeState.AddedByTheirs, GroupMergeState.ChangedByOurs, GroupMergeState.DeletedByOurs, GroupMergeState.AddedByOurs },
            groups.Select(g => g.State));
    }

    [Fact]
    public void Without_an_ancestor_every_group_is_an_addition()
    {
        var groups = Classifier().Classify(null, Metadata(("a", X), ("b", X)), Metadata(("a", X), ("b", Y)));
        Assert.Equal(new[] { GroupMergeState.AddedByBothEqually, GroupMergeState.AddedByBothDifferently }, groups.Select(g => g.State));
    }

    private static ThetaMetadata Metadata(params (string Name, ParameterEntry Entry)[] groups) =>
        new("safetensors", new ObjectRef(new string('c', 64), 10), groups.ToDictionary(g => g.Name, g => g.Entry, StringComparer.Ordinal));
}
