using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using static GitTheta.Core.Tests.Merges.MergeEntries;

namespace GitTheta.Core.Tests.Merges;

public class MergeStrategyTests
{
    private static readonly ParameterEntry B = Entry("base", 1);
    private static readonly ParameterEntry X = Entry("x", 2);
    private static readonly ParameterEntry Y = Entry("y", 3);
    private static readonly MergeGroup ChangedByBoth = Group(GroupMergeState.ChangedByBoth, X, Y, B);

    private static IMergeStrategy Strategy(string name) => MergeStrategyRegistry.Default.Find(name)!;

    private static double[] Resolve(string specification, double[] ours, double[] theirs, double[] ancestor)
    {
        var choice = StrategyChoice.Parse(specification, MergeStrategyRegistry.Default, "test");
        var values = new FixedGroupValues(ours, theirs, ancestor);
        var resolution = choice.Strategy.Resolve(ChangedByBoth, values, choice.Arguments);
        Assert.Null(resolution.Side);
        return resolution.Evaluate(values)!;
    }

    [Fact]
    public void The_registry_holds_every_strategy_in_menu_order()
    {
        Assert.Equal(
            new[] { "ours", "theirs", "base", "average", "average-all", "average-ours-base", "average-theirs-base", "task-arithmetic" },
            MergeStrategyRegistry.Default.Names);
    }

    [Fact]
    public void Average_with_the_default_alpha_is_exactly_the_mean_not_half_of_it()
    {
        // git-theta divided α·ours + (1−α)·theirs by the number of inputs again: 3 would have come out as 1.5.
        Assert.Equal(new[] { 3.0, -1.0, 0.0 }, Resolve("average", new[] { 2.0, -4.0, 1.0 }, new[] { 4.0, 2.0, -1.0 }, new[] { 0.0, 0.0, 0.0 }));
    }

    [Fact]
    public void Average_of_float32_values_is_exactly_their_mean()
    {
        var ours = TestData.RandomFloats(1, 1000);
        var theirs = TestData.RandomFloats(2, 1000);
        var result = Resolve("average", ours.Select(v => (double)v).ToArray(), theirs.Select(v => (double)v).ToArray(), new double[1000]);
        for (var i = 0; i < ours.Length; i++)
        {
            Assert.Equal(((double)ours[i] + theirs[i]) / 2, result[i]);
        }
    }

    [Fact]
    public void Average_weights_ours_by_alpha()
    {
        Assert.Equal(new[] { 0.25 * 8 + 0.75 * 4, 0.25 * -4 }, Resolve("average:alpha=0.25", new[] { 8.0, -4.0 }, new[] { 4.0, 0.0 }, new[] { 0.0, 0.0 }));
        Assert.Equal(new[] { 8.0, -4.0 }, Resolve("average:alpha=1", new[] { 8.0, -4.0 }, new[] { 4.0, 0.0 }, new[] { 0.0, 0.0 }));
    }

    [Fact]
    public void Average_all_weights_ours_theirs_and_base()
    {
        Assert.Equal(new[] { (0.5 * 8) + (0.25 * 4) + (0.25 * 16) }, Resolve("average-all:alpha=0.5,beta=0.25", new[] { 8.0 }, new[] { 4.0 }, new[] { 16.0 }));
        var thirds = Resolve("average-all", new[] { 3.0 }, new[] { 6.0 }, new[] { 9.0 });
        Assert.Equal((3.0 / 3) + (6.0 / 3) + ((1 - (1.0 / 3) - (1.0 / 3)) * 9), thirds[0]);
    }

    [Fact]
    public void Average_ours_base_and_average_theirs_base_use_their_two_versions()
    {
        Assert.Equal(new[] { 5.0 }, Resolve("average-ours-base", new[] { 2.0 }, new[] { 100.0 }, new[] { 8.0 }));
        Assert.Equal(new[] { 0.75 * 100 + 0.25 * 8 }, Resolve("average-theirs-base:alpha=0.75", new[] { 2.0 }, new[] { 100.0 }, new[] { 8.0 }));
    }

    [Fact]
    public void Task_arithmetic_adds_both_task_vectors_scaled_by_lambda()
    {
        // base 1, ours 3 (+2), theirs 0 (−1): λ=1 → 1 + 2 − 1 = 2; λ=0.5 → 1.5. Base 10, ours 10 (+0), theirs 20 (+10): 20, 15.
        Assert.Equal(new[] { 2.0, 20.0 }, Resolve("task-arithmetic", new[] { 3.0, 10.0 }, new[] { 0.0, 20.0 }, new[] { 1.0, 10.0 }));
        Assert.Equal(new[] { 1.5, 15.0 }, Resolve("task-arithmetic:lambda=0.5", new[] { 3.0, 10.0 }, new[] { 0.0, 20.0 }, new[] { 1.0, 10.0 }));
        Assert.Equal(new[] { 1.0 - 1.5, 10.0 - 15 }, Resolve("task-arithmetic:lambda=-1.5", new[] { 3.0, 10.0 }, new[] { 0.0, 20.0 }, new[] { 1.0, 10.0 }));
    }

    [Theory]
    [InlineData("ours", nameof(MergeSide.Ours))]
    [InlineData("theirs", nameof(MergeSide.Theirs))]
    [InlineData("base", nameof(MergeSide.Base))]
    public void Take_side_strategies_keep_an_entry_without_reading_values(string name, string sideName)
    {
        var side = Enum.Parse<MergeSide>(sideName);
        var values = new FixedGroupValues();
        var resolution = Strategy(name).Resolve(ChangedByBoth, values, MergeArguments.None);
        Assert.Equal(side, resolution.Side);
        Assert.Null(resolution.Values);
        Assert.Empty(values.Read);
    }

    [Fact]
    public void Take_side_strategies_describe_a_deletion_as_one()
    {
        var deletedByTheirs = Group(GroupMergeState.ChangedByOursDeletedByTheirs, X, null, B);
        var addedByBoth = Group(GroupMergeState.AddedByBothDifferently, X, Y, null);
        Assert.Equal("keep our value", Strategy("ours").Describe(deletedByTheirs));
        Assert.Equal("delete the group, as they did", Strategy("theirs").Describe(deletedByTheirs));
        Assert.Equal("drop the group (the ancestor did not have it)", Strategy("base").Describe(addedByBoth));
    }

    public static TheoryData<string, string> Applicable() => new()
    {
        { nameof(GroupMergeState.ChangedByBoth), "ours theirs base average average-all average-ours-base average-theirs-base task-arithmetic" },
        { nameof(GroupMergeState.AddedByBothDifferently), "ours theirs base average" },
        { nameof(GroupMergeState.ChangedByOursDeletedByTheirs), "ours theirs base" },
        { nameof(GroupMergeState.DeletedByOursChangedByTheirs), "ours theirs base" },
    };

    [Theory]
    [MemberData(nameof(Applicable))]
    public void Only_the_strategies_that_fit_a_conflict_apply_to_it(string stateName, string expected)
    {
        var state = Enum.Parse<GroupMergeState>(stateName);
        var group = state switch
        {
            GroupMergeState.ChangedByBoth => ChangedByBoth,
            GroupMergeState.AddedByBothDifferently => Group(state, X, Y, null),
            GroupMergeState.ChangedByOursDeletedByTheirs => Group(state, X, null, B),
            _ => Group(state, null, Y, B),
        };
        Assert.Equal(expected, string.Join(' ', MergeStrategyRegistry.Default.ApplicableTo(group).Select(s => s.Name)));
    }

    [Fact]
    public void Numeric_strategies_need_their_operands_in_the_same_dtype_and_shape()
    {
        var reshapedTheirs = Group(GroupMergeState.ChangedByBoth, X, Entry("y", 3, shape: new long[] { 3, 2 }), B);
        Assert.Equal("ours theirs base average-ours-base", string.Join(' ', MergeStrategyRegistry.Default.ApplicableTo(reshapedTheirs).Select(s => s.Name)));
        var retypedOurs = Group(GroupMergeState.ChangedByBoth, Entry("x", 2, DType.F16), Y, B);
        Assert.Equal("ours theirs base average-theirs-base", string.Join(' ', MergeStrategyRegistry.Default.ApplicableTo(retypedOurs).Select(s => s.Name)));
    }

    [Fact]
    public void Average_all_refuses_weights_that_sum_past_one()
    {
        var strategy = Strategy("average-all");
        Assert.NotNull(strategy.CheckArguments(new MergeArguments(new Dictionary<string, double> { ["alpha"] = 0.6, ["beta"] = 0.5 })));
        Assert.Null(strategy.CheckArguments(new MergeArguments(new Dictionary<string, double> { ["alpha"] = 0.7, ["beta"] = 0.3 })));
    }

    [Fact]
    public void Parameters_check_their_ranges()
    {
        var alpha = Strategy("average").Parameters.Single();
        Assert.Null(alpha.Check(0));
        Assert.Null(alpha.Check(1));
        Assert.Equal("alpha must be from 0 to 1", alpha.Check(1.5));
        Assert.Equal("alpha must be a finite number", alpha.Check(double.NaN));
        var lambda = Strategy("task-arithmetic").Parameters.Single();
        Assert.Null(lambda.Check(-3));
        Assert.NotNull(lambda.Check(double.PositiveInfinity));
    }
}
