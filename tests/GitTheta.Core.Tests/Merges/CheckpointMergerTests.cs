using System.Runtime.InteropServices;
using System.Text;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Merges;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Merges;

public class CheckpointMergerTests
{
    private const int N = 300;

    private static readonly float[] A = TestData.RandomFloats(1, N);
    private static readonly float[] B = TestData.RandomFloats(2, N);
    private static readonly float[] C = TestData.RandomFloats(3, N);

    private static byte[] File(params (string Name, float[] Values)[] groups)
    {
        var builder = new SafetensorsFileBuilder().AddMetadata("format", "pt");
        foreach (var (name, values) in groups)
        {
            builder.Add(name, "F32", new long[] { values.Length }, TestData.Bytes(values));
        }

        return builder.Build();
    }

    private static float[] Shift(float[] values, float delta) => values.Select(v => v + delta).ToArray();

    private static float[] Floats(byte[] data) => MemoryMarshal.Cast<byte, float>(data).ToArray();

    [Fact]
    public void One_sided_changes_merge_without_a_strategy_and_rebuild_byte_for_byte()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B), ("c", C)));
        var ours = fixture.Clean(File(("a", Shift(A, 1)), ("b", B), ("c", C)), ancestor);
        var theirs = fixture.Clean(File(("a", A), ("b", Shift(B, 2)), ("c", C)), ancestor);

        var plan = fixture.Merger().Plan(ancestor, ours, theirs, MergeFixture.CheckpointPath);
        Assert.Empty(plan.Conflicts);
        Assert.Equal(new[] { GroupMergeState.ChangedByOurs, GroupMergeState.ChangedByTheirs, GroupMergeState.Unchanged }, plan.Groups.Select(g => g.State));
        var result = fixture.Merger().Complete(plan, new Dictionary<string, SelectedStrategy>());

        Assert.Equal(MergeSide.Ours, result.ContainerSource);
        Assert.Equal(ours.Parameters["a"], result.Metadata.Parameters["a"]);
        Assert.Equal(theirs.Parameters["b"], result.Metadata.Parameters["b"]);
        Assert.Equal(File(("a", Shift(A, 1)), ("b", Shift(B, 2)), ("c", C)), fixture.Smudge(result.Metadata));
    }

    [Fact]
    public void Average_of_a_conflict_is_exactly_the_mean_stored_as_an_ordinary_dense_entry()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var oursB = TestData.RandomFloats(10, N);
        var theirsB = TestData.RandomFloats(11, N);
        var ours = fixture.Clean(File(("a", A), ("b", oursB)), ancestor);
        var theirs = fixture.Clean(File(("a", A), ("b", theirsB)), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs, "average");

        var merged = MergeFixture.Groups(fixture.Smudge(result.Metadata));
        Assert.Equal(oursB.Zip(theirsB, (o, t) => (float)(((double)o + t) / 2)).ToArray(), Floats(merged["b"]));
        Assert.Equal(TestData.Bytes(A), merged["a"]);

        // The entry is what cleaning the merged value from scratch gives: a dense object and its own signature.
        var entry = result.Metadata.Parameters["b"];
        Assert.Equal(UpdateDescription.Dense, entry.Update);
        var fresh = fixture.Clean(File(("a", A), ("b", Floats(merged["b"]))));
        Assert.Equal(fresh.Parameters["b"].Object, entry.Object);
        Assert.Equal(fresh.Parameters["b"].Tensor.Lsh, entry.Tensor.Lsh);
        Assert.Contains("\"type\": \"dense\"", Encoding.UTF8.GetString(MetadataSerializer.Serialize(result.Metadata)));
        Assert.True(fixture.Store.Contains(entry.Object));
    }

    public static TheoryData<string> Strategies() => new()
    {
        "ours", "theirs", "base", "average", "average:alpha=0.3", "average-all", "average-all:alpha=0.5,beta=0.2",
        "average-ours-base", "average-theirs-base:alpha=0.9", "task-arithmetic", "task-arithmetic:lambda=0.25",
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Every_strategy_gives_its_formula_through_the_store(string strategy)
    {
        using var fixture = new MergeFixture();
        var o = TestData.RandomFloats(20, N);
        var t = TestData.RandomFloats(21, N);
        var ancestor = fixture.Clean(File(("w", B)));
        var ours = fixture.Clean(File(("w", o)), ancestor);
        var theirs = fixture.Clean(File(("w", t)), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs, strategy);

        var choice = StrategyChoice.Parse(strategy, MergeStrategyRegistry.Default, "test");
        double Arg(string name) => choice.Arguments[name];
        Func<double, double, double, double> formula = choice.Strategy.Name switch
        {
            "ours" => (x, _, _) => x,
            "theirs" => (_, y, _) => y,
            "base" => (_, _, z) => z,
            "average" => (x, y, _) => (Arg("alpha") * x) + ((1 - Arg("alpha")) * y),
            "average-all" => (x, y, z) => (Arg("alpha") * x) + (Arg("beta") * y) + ((1 - Arg("alpha") - Arg("beta")) * z),
            "average-ours-base" => (x, _, z) => (Arg("alpha") * x) + ((1 - Arg("alpha")) * z),
            "average-theirs-base" => (_, y, z) => (Arg("alpha") * y) + ((1 - Arg("alpha")) * z),
            _ => (x, y, z) => z + (Arg("lambda") * ((x - z) + (y - z))),
        };
        var expected = Enumerable.Range(0, N).Select(i => (float)formula(o[i], t[i], B[i])).ToArray();
        Assert.Equal(expected, Floats(MergeFixture.Groups(fixture.Smudge(result.Metadata))["w"]));
    }

    [Fact]
    public void Groups_larger_than_one_chunk_are_combined_element_for_element()
    {
        using var fixture = new MergeFixture();
        const int Large = (1 << 16) * 2 + 7;
        var b = TestData.RandomFloats(40, Large);
        var o = TestData.RandomFloats(41, Large);
        var t = TestData.RandomFloats(42, Large);
        var ancestor = fixture.Clean(File(("w", b)));
        var ours = fixture.Clean(File(("w", o)), ancestor);
        var theirs = fixture.Clean(File(("w", t)), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs, "task-arithmetic:lambda=0.75");

        var expected = Enumerable.Range(0, Large).Select(i => (float)(b[i] + (0.75 * ((o[i] - (double)b[i]) + (t[i] - (double)b[i]))))).ToArray();
        Assert.Equal(expected, Floats(MergeFixture.Groups(fixture.Smudge(result.Metadata))["w"]));
    }

    [Fact]
    public void A_strategy_may_compute_whole_values_itself()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("w", A)));
        var ours = fixture.Clean(File(("w", B)), ancestor);
        var theirs = fixture.Clean(File(("w", C)), ancestor);
        var merger = fixture.Merger();
        var plan = merger.Plan(ancestor, ours, theirs, MergeFixture.CheckpointPath);
        var reverse = new SelectedStrategy(StrategyChoice.WithDefaults(new ReverseOursTestStrategy()), "test");

        var result = merger.Complete(plan, new Dictionary<string, SelectedStrategy> { ["w"] = reverse });

        Assert.Equal(B.Reverse().ToArray(), Floats(MergeFixture.Groups(fixture.Smudge(result.Metadata))["w"]));
        Assert.True(result.Groups.Single().Computed);
    }

    [Fact]
    public void Take_side_strategies_keep_the_entry_itself()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("w", A)));
        var ours = fixture.Clean(File(("w", B)), ancestor);
        var theirs = fixture.Clean(File(("w", C)), ancestor);
        Assert.Equal(theirs.Parameters["w"], fixture.Merge(ancestor, ours, theirs, "theirs").Metadata.Parameters["w"]);
        Assert.Equal(ancestor.Parameters["w"], fixture.Merge(ancestor, ours, theirs, "base").Metadata.Parameters["w"]);
    }

    [Fact]
    public void Merged_values_are_written_back_in_the_group_dtype()
    {
        using var fixture = new MergeFixture();
        byte[] Checkpoint(Half[] f16, ushort[] bf16, sbyte[] i8, double[] f64) => new SafetensorsFileBuilder()
            .Add("f16", "F16", new long[] { f16.Length }, TestData.Bytes(f16))
            .Add("bf16", "BF16", new long[] { bf16.Length }, TestData.Bytes(bf16))
            .Add("i8", "I8", new long[] { i8.Length }, TestData.Bytes(i8))
            .Add("f64", "F64", new long[] { f64.Length }, TestData.Bytes(f64))
            .Build();

        // BF16 is the top half of a float32: 0x3F80 = 1, 0x4000 = 2, 0x4040 = 3, 0xC080 = −4.
        var ancestor = fixture.Clean(Checkpoint(new[] { (Half)0, (Half)0 }, new ushort[] { 0, 0 }, new sbyte[] { 0, 0, 0 }, new[] { 0.0, 0.0 }));
        var ours = fixture.Clean(Checkpoint(new[] { (Half)1.5, (Half)(-3) }, new ushort[] { 0x3F80, 0x4040 }, new sbyte[] { 3, -3, 127 }, new[] { 0.1, 1e300 }), ancestor);
        var theirs = fixture.Clean(Checkpoint(new[] { (Half)2.5, (Half)1 }, new ushort[] { 0x4040, 0xC080 }, new sbyte[] { 4, -4, 126 }, new[] { 0.2, 1e300 }), ancestor);

        var groups = MergeFixture.Groups(fixture.Smudge(fixture.Merge(ancestor, ours, theirs, "average").Metadata));

        Assert.Equal(new[] { (Half)2, (Half)(-1) }, MemoryMarshal.Cast<byte, Half>(groups["f16"]).ToArray());
        Assert.Equal(new ushort[] { 0x4000, 0xBF00 }, MemoryMarshal.Cast<byte, ushort>(groups["bf16"]).ToArray()); // 2 and −0.5
        Assert.Equal(new sbyte[] { 4, -4, 127 }, MemoryMarshal.Cast<byte, sbyte>(groups["i8"]).ToArray()); // 3.5 → 4, −3.5 → −4: half away from zero
        Assert.Equal(new[] { (0.5 * 0.1) + (0.5 * 0.2), 1e300 }, MemoryMarshal.Cast<byte, double>(groups["f64"]).ToArray());
    }

    [Fact]
    public void Values_of_any_update_type_are_materialized_through_it()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("w", A)));
        var oursValues = TestData.RandomFloats(30, N);
        var theirsValues = TestData.RandomFloats(31, N);
        var ours = fixture.Clean(File(("w", oursValues)), ancestor, HalvedTestUpdate.TypeName);
        var theirs = fixture.Clean(File(("w", theirsValues)), ancestor);
        Assert.Equal(HalvedTestUpdate.TypeName, ours.Parameters["w"].Update.Type);

        var result = fixture.Merge(ancestor, ours, theirs, "average");

        Assert.Equal(oursValues.Zip(theirsValues, (o, t) => (float)(((double)o + t) / 2)).ToArray(), Floats(MergeFixture.Groups(fixture.Smudge(result.Metadata))["w"]));
        Assert.Equal(DenseUpdate.TypeName, result.Metadata.Parameters["w"].Update.Type);

        // Taking their side keeps the entry, update type included, and checkout still rebuilds it.
        var kept = fixture.Merge(ancestor, theirs, ours, "theirs");
        Assert.Equal(HalvedTestUpdate.TypeName, kept.Metadata.Parameters["w"].Update.Type);
        Assert.Equal(oursValues, Floats(MergeFixture.Groups(fixture.Smudge(kept.Metadata))["w"]));
    }

    [Fact]
    public void Sparse_and_low_rank_entries_are_averaged_from_the_values_checkout_rebuilds()
    {
        using var fixture = new MergeFixture();
        const int Columns = 20;
        byte[] Matrix(float[] values) => new SafetensorsFileBuilder().Add("w", "F32", new long[] { values.Length / Columns, Columns }, TestData.Bytes(values)).Build();
        var start = TestData.RandomFloats(60, Columns * Columns);
        var sparse = (float[])start.Clone();
        sparse[7] += 1;
        sparse[311] -= 2;
        var u = TestData.RandomFloats(61, Columns);
        var v = TestData.RandomFloats(62, Columns);
        var rankOne = start.Select((x, k) => x + (u[k / Columns] * v[k % Columns])).ToArray();
        var ancestor = fixture.Clean(Matrix(start));
        var ours = fixture.Clean(Matrix(sparse), ancestor, "sparse");
        var theirs = fixture.Clean(Matrix(rankOne), ancestor, "low-rank");
        Assert.Equal("sparse", ours.Parameters["w"].Update.Type);
        Assert.Equal("low-rank", theirs.Parameters["w"].Update.Type);

        var result = fixture.Merge(ancestor, ours, theirs, "average");

        var oursValues = Floats(MergeFixture.Groups(fixture.Smudge(ours))["w"]);
        var theirsValues = Floats(MergeFixture.Groups(fixture.Smudge(theirs))["w"]);
        Assert.Equal(oursValues.Zip(theirsValues, (o, t) => (float)(((double)o + t) / 2)).ToArray(), Floats(MergeFixture.Groups(fixture.Smudge(result.Metadata))["w"]));
        Assert.Equal(UpdateDescription.Dense, result.Metadata.Parameters["w"].Update);
    }

    [Fact]
    public void A_conflict_without_a_strategy_fails_and_stores_nothing()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var ours = fixture.Clean(File(("a", Shift(A, 1)), ("b", Shift(B, 1))), ancestor);
        var theirs = fixture.Clean(File(("a", Shift(A, 2)), ("b", B)), ancestor);
        var before = fixture.Objects;

        var merger = fixture.Merger();
        var plan = merger.Plan(ancestor, ours, theirs, MergeFixture.CheckpointPath);
        Assert.Equal(new[] { "a" }, plan.Conflicts.Select(c => c.Name));
        var error = Assert.Throws<ThetaException>(() => merger.Complete(plan, new Dictionary<string, SelectedStrategy>()));
        Assert.Equal(DiagnosticIds.MergeConflict, error.Code);
        Assert.Contains("'a'", error.Message);
        Assert.Equal(before, fixture.Objects);
    }

    [Fact]
    public void A_strategy_that_cannot_resolve_the_group_fails_naming_it()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var ours = fixture.Clean(File(("a", Shift(A, 1)), ("b", B)), ancestor);
        var theirs = fixture.Clean(File(("b", B)), ancestor);

        var error = Assert.Throws<ThetaException>(() => fixture.Merge(ancestor, ours, theirs, "average"));
        Assert.Equal(DiagnosticIds.MergeConflict, error.Code);
        Assert.Contains("cannot resolve parameter 'a', which was changed by ours, deleted by theirs", error.Message);
    }

    [Fact]
    public void Taking_the_deleting_side_removes_the_group_and_uses_that_sides_layout()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var ours = fixture.Clean(File(("a", Shift(A, 1)), ("b", B)), ancestor);
        var theirs = fixture.Clean(File(("b", B)), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs, "theirs");

        Assert.Equal(new[] { "b" }, result.Metadata.Parameters.Keys);
        Assert.Equal(MergeSide.Theirs, result.ContainerSource);
        Assert.Equal("deleted", result.Groups.Single(g => g.Group.Name == "a").Outcome);
        Assert.Equal(File(("b", B)), fixture.Smudge(result.Metadata));
    }

    [Fact]
    public void Groups_added_on_different_sides_get_a_new_container_in_our_style()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var ours = fixture.Clean(File(("a", A), ("x", C), ("b", B)), ancestor);
        var theirs = fixture.Clean(File(("a", A), ("b", B), ("y", Shift(C, 5))), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs);

        Assert.Null(result.ContainerSource);
        var file = fixture.Smudge(result.Metadata);
        var header = Encoding.UTF8.GetString(file, 8, (int)BitConverter.ToUInt64(file, 0));
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[300],\"data_offsets\":[0,1200]},\"x\":", header);
        Assert.Equal(0, header.Length % 8);
        var read = CheckpointReading.ReadAll(file);
        Assert.Equal(new[] { "a", "x", "b", "y" }, read.Groups.Select(g => g.Name));
        var groups = MergeFixture.Groups(file);
        Assert.Equal(TestData.Bytes(C), groups["x"]);
        Assert.Equal(TestData.Bytes(Shift(C, 5)), groups["y"]);

        // The new container is stored and recorded like any other: checking the same file in again reuses everything.
        Assert.True(fixture.Store.Contains(result.Metadata.Container));
        var recleaned = fixture.Clean(file, result.Metadata);
        Assert.Equal(result.Metadata.Container, recleaned.Container);
        Assert.Equal(result.Metadata.Parameters.ToDictionary(p => p.Key, p => p.Value.Object), recleaned.Parameters.ToDictionary(p => p.Key, p => p.Value.Object));
    }

    [Fact]
    public void Without_a_composer_for_the_format_a_layout_no_version_has_fails_clearly()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var ours = fixture.Clean(File(("a", A), ("x", C), ("b", B)), ancestor);
        var theirs = fixture.Clean(File(("a", A), ("b", B), ("y", C)), ancestor);
        var merger = new CheckpointMerger(fixture.Engine, new ContainerComposerRegistry(Array.Empty<IContainerComposer>()));
        var before = fixture.Objects;

        var error = Assert.Throws<ThetaException>(() => merger.Complete(merger.Plan(ancestor, ours, theirs, MergeFixture.CheckpointPath), new Dictionary<string, SelectedStrategy>()));

        Assert.Equal(DiagnosticIds.MergeConflict, error.Code);
        Assert.Contains("cannot lay out a new safetensors file", error.Message);
        Assert.Equal(before, fixture.Objects);
    }

    [Fact]
    public void A_new_safetensors_container_without_file_metadata_has_none()
    {
        var template = new SafetensorsFileBuilder().Add("a", "F32", new long[] { 1 }, new byte[4]).Build();
        var container = new SafetensorsContainerComposer().Compose(
            template, new[] { new TensorInfo("b", DType.I8, new long[] { 3 }), new TensorInfo("n\u00e9\"w", DType.F16, new long[] { 2, 2 }) }, "m.safetensors");
        var json = Encoding.UTF8.GetString(container, 8, container.Length - 8);
        Assert.Equal("{\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[0,3]},\"n\u00e9\\\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[3,11]}}", json.TrimEnd(' '));
        Assert.Equal(0, (container.Length - 8) % 8); // bytes, not characters: é is two
        Assert.Equal(new[] { "b", "n\u00e9\"w" }, new SafetensorsFormat().DescribeContainer(container, "m.safetensors").Select(t => t.Name));
    }

    [Fact]
    public void Shapes_changed_on_both_sides_in_different_groups_get_a_new_container()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var ours = fixture.Clean(File(("a", A[..100]), ("b", B)), ancestor);
        var theirs = fixture.Clean(File(("a", A), ("b", B[..50])), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs);

        Assert.Null(result.ContainerSource);
        Assert.Equal(File(("a", A[..100]), ("b", B[..50])), fixture.Smudge(result.Metadata));
    }

    [Fact]
    public void Groups_added_on_both_sides_with_different_values_conflict_and_can_be_averaged()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A)));
        var ours = fixture.Clean(File(("a", A), ("new", B)), ancestor);
        var theirs = fixture.Clean(File(("a", A), ("new", C)), ancestor);

        var plan = fixture.Merger().Plan(ancestor, ours, theirs, MergeFixture.CheckpointPath);
        Assert.Equal(GroupMergeState.AddedByBothDifferently, plan.Conflicts.Single().State);

        var result = fixture.Merge(ancestor, ours, theirs, "average");
        Assert.Equal(B.Zip(C, (o, t) => (float)(((double)o + t) / 2)).ToArray(), Floats(MergeFixture.Groups(fixture.Smudge(result.Metadata))["new"]));
        Assert.Equal(MergeSide.Ours, result.ContainerSource);
    }

    [Fact]
    public void The_same_change_on_both_sides_merges_by_itself()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A)));
        var ours = fixture.Clean(File(("a", B)), ancestor);
        var theirs = fixture.Clean(File(("a", B)), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs);

        Assert.Equal(GroupMergeState.ChangedByBothEqually, result.Groups.Single().Group.State);
        Assert.Equal(ours.Parameters["a"], result.Metadata.Parameters["a"]);
    }

    [Fact]
    public void Deleted_on_both_sides_is_gone()
    {
        using var fixture = new MergeFixture();
        var ancestor = fixture.Clean(File(("a", A), ("b", B)));
        var ours = fixture.Clean(File(("a", Shift(A, 1))), ancestor);
        var theirs = fixture.Clean(File(("a", A)), ancestor);

        var result = fixture.Merge(ancestor, ours, theirs);

        Assert.Equal(new[] { "a" }, result.Metadata.Parameters.Keys);
        Assert.Equal(File(("a", Shift(A, 1))), fixture.Smudge(result.Metadata));
    }

    [Fact]
    public void Data_order_keeps_ours_and_places_other_groups_after_their_neighbours()
    {
        var order = CheckpointMerger.MergeOrder(
            new[] { new[] { "a", "x", "c" }, new[] { "a", "b", "c", "y" }, new[] { "z", "a" } },
            new[] { "a", "b", "c", "x", "y", "z" });
        Assert.Equal(new[] { "z", "a", "b", "x", "c", "y" }, order);
    }
}
