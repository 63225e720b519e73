using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.PyTorch;

/// <summary>The restricted pickle machine with the state-dict rules: what it builds, and what it refuses.</summary>
public class TorchPickleTests
{
    private static object? Run(byte[] pickle) => PickleMachine.Run(pickle, new TorchPickleRules("m.pt: data.pkl"), "m.pt: data.pkl");

    private static IReadOnlyList<(string Name, TorchTensorView View)> Tensors(byte[] pickle) =>
        TorchStateDict.Tensors(Run(pickle), "m.pt: data.pkl");

    [Fact]
    public void Plain_values_nested_dicts_lists_and_tensors_are_read_and_tensors_named_by_their_path()
    {
        var pickle = new PickleBuilder()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark()
            .String("step").Int(7)
            .String("lr").Op((byte)'G', 0x3f, 0x50, 0x62, 0x4d, 0xd2, 0xf1, 0xa9, 0xfc)
            .String("name").Op(0x8c, 3).Op("abc"u8.ToArray())
            .String("flag").Op(0x88)
            .String("none").Op((byte)'N')
            .String("bytes").Op((byte)'C', 2, 1, 2)
            .String("big").Op(0x8a, 9, 1, 0, 0, 0, 0, 0, 0, 0, 1)
            .String("model").EmptyDict().Mark()
                .String("w").Tensor("FloatStorage", "0", 6, 0, new[] { 2, 3 }, new[] { 3, 1 })
                .Op(0x8a, 1, 5).EmptyList().Mark().Tensor("HalfStorage", "1", 4, 0, new[] { 4 }, new[] { 1 }).Appends()
                .SetItems()
            .SetItems()
            .Stop().ToArray();
        var tensors = Tensors(pickle);
        Assert.Equal(new[] { "model/w", "model/5/0" }, tensors.Select(t => t.Name));
        Assert.Equal(DType.F32, tensors[0].View.Storage.DType);
        Assert.Equal(DType.F16, tensors[1].View.Storage.DType);
        Assert.Equal(new long[] { 2, 3 }, tensors[0].View.Size);
    }

    [Theory]
    [InlineData("posix", "system")]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch.storage", "_load_from_bytes")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    [InlineData("__main__", "MyModule")]
    public void A_global_outside_the_state_dict_rules_is_refused_by_name_before_anything_is_called(string module, string name)
    {
        var pickle = new PickleBuilder().Global(module, name).Mark().String("touch /tmp/never").Tuple().Reduce().Stop().ToArray();
        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(pickle));
        Assert.Contains($"'{module}.{name}'", error.Message);
        Assert.Contains("nothing was executed", error.Message);
        Assert.StartsWith("m.pt: data.pkl", error.Message);
    }

    [Theory]
    [InlineData((byte)'i', "arbitrary class")]
    [InlineData((byte)'o', "arbitrary class")]
    [InlineData(0x81, "arbitrary class")]
    [InlineData(0x92, "arbitrary class")]
    [InlineData(0x82, "extension registry")]
    [InlineData((byte)'P', "does not read")]
    [InlineData(0x97, "does not read")]
    public void Opcodes_that_create_arbitrary_objects_are_refused(byte opcode, string message)
    {
        var pickle = new PickleBuilder().EmptyTuple().EmptyTuple().Op(opcode, 0, 0, 0, 0).Stop().ToArray();
        Assert.Contains(message, ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(pickle)).Message);
    }

    [Fact]
    public void Calling_an_allowed_name_that_is_not_a_rebuild_function_is_refused()
    {
        var pickle = new PickleBuilder().Global("torch", "FloatStorage").Mark().Int(1).Tuple().Reduce().Stop().ToArray();
        Assert.Contains("'torch.FloatStorage'", ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(pickle)).Message);
    }

    [Fact]
    public void Appending_to_or_building_on_something_other_than_a_list_or_dict_is_refused()
    {
        var append = new PickleBuilder().Global("torch", "float32").Int(1).Op((byte)'a').Stop().ToArray();
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(append));
        var build = new PickleBuilder().EmptyList().EmptyDict().Op((byte)'b').Stop().ToArray();
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(build));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("no-stop")]
    [InlineData("unknown-memo")]
    [InlineData("empty-stack")]
    [InlineData("protocol-6")]
    [InlineData("huge-string")]
    [InlineData("huge-bytes8")]
    [InlineData("unclosed-mark")]
    public void Malformed_pickles_are_refused_without_allocating_what_they_claim(string kind)
    {
        var pickle = kind switch
        {
            "truncated" => new PickleBuilder().Op((byte)'J', 1, 2).ToArray(),
            "no-stop" => new PickleBuilder().EmptyDict().ToArray(),
            "unknown-memo" => new PickleBuilder().Get(9).Stop().ToArray(),
            "empty-stack" => new PickleBuilder().Op((byte)'R').Stop().ToArray(),
            "protocol-6" => new byte[] { 0x80, 6, (byte)'N', (byte)'.' },
            "huge-string" => new PickleBuilder().Op((byte)'X', 0xFF, 0xFF, 0xFF, 0x7F).Op(new byte[16]).Stop().ToArray(),
            "huge-bytes8" => new PickleBuilder().Op(0x8e, 0, 0, 0, 0, 0, 0, 0, 0x40).Op(new byte[16]).Stop().ToArray(),
            _ => new PickleBuilder().Mark().EmptyDict().Stop().ToArray(),
        };
        var before = GC.GetAllocatedBytesForCurrentThread();
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(pickle));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "refusing a malformed pickle allocated more than 1 MiB");
    }

    [Fact]
    public void A_list_that_contains_itself_and_containers_shared_many_times_are_walked_once()
    {
        // l = []; l.append(l)
        var cyclic = new PickleBuilder().EmptyList().Put(0).Get(0).Op((byte)'a').Stop().ToArray();
        Assert.Empty(Tensors(cyclic));

        // d0 = {'t': tensor}; d(k+1) = {'a': dk, 'b': dk} for 60 levels: 2^60 paths if walked naively.
        var shared = new PickleBuilder().EmptyDict().Mark().String("t").Tensor("FloatStorage", "0", 1, 0, new[] { 1 }, new[] { 1 }).SetItems().Put(0);
        for (var level = 0; level < 60; level++)
        {
            shared.EmptyDict().Mark().String("a").Get(0).String("b").Get(0).SetItems().Put(0);
        }

        var names = Tensors(shared.Stop().ToArray()).Select(t => t.Name).ToList();
        Assert.Single(names);
        Assert.Equal(string.Join('/', Enumerable.Repeat("a", 60)) + "/t", names[0]);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        var deep = new PickleBuilder();
        for (var i = 0; i < 100; i++)
        {
            deep.EmptyList();
        }

        for (var i = 0; i < 99; i++)
        {
            deep.Op((byte)'a');
        }

        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => TorchStateDict.Tensors(Run(deep.Stop().ToArray()), "m"));
    }

    [Theory]
    [InlineData(0, new[] { 2, 4 }, new[] { 4, 1 }, "reaches element 7")]
    [InlineData(3, new[] { 4 }, new[] { 1 }, "reaches element 6")]
    [InlineData(0, new[] { 2, 3 }, new[] { 1 }, "size and stride differ")]
    public void A_view_that_does_not_fit_its_storage_is_refused(int offset, int[] size, int[] stride, string message)
    {
        var pickle = new PickleBuilder().Tensor("FloatStorage", "0", 6, offset, size, stride).Stop().ToArray();
        Assert.Contains(message, ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(pickle)).Message);
    }

    [Fact]
    public void Complex_and_quantized_storages_are_unsupported_dtypes()
    {
        var pickle = new PickleBuilder().Tensor("ComplexFloatStorage", "0", 2, 0, new[] { 2 }, new[] { 1 }).Stop().ToArray();
        Assert.Contains("ComplexFloatStorage", ThetaAssert.Throws(DiagnosticIds.UnsupportedDType, () => Run(pickle)).Message);
    }

    [Fact]
    public void A_bare_untyped_storage_is_a_byte_group_over_all_of_it()
    {
        var pickle = new PickleBuilder().EmptyDict().Mark().String("raw").Storage("UntypedStorage", "0", 12).SetItems().Stop().ToArray();
        var (name, view) = Assert.Single(Tensors(pickle));
        Assert.Equal(("raw", DType.U8, 12L), (name, view.Storage.DType, view.Storage.ByteLength));
    }

    [Fact]
    public void One_storage_key_with_two_types_is_refused()
    {
        var pickle = new PickleBuilder().Mark()
            .Tensor("FloatStorage", "0", 6, 0, new[] { 6 }, new[] { 1 })
            .Tensor("IntStorage", "0", 6, 0, new[] { 6 }, new[] { 1 })
            .Op((byte)'l').Stop().ToArray();
        ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => Run(pickle));
    }

    [Fact]
    public void Parameters_and_ordered_dict_metadata_are_read()
    {
        // OrderedDict() with a tensor wrapped in _rebuild_parameter, then BUILD {'_metadata': {...}} as state_dict() pickles.
        var pickle = new PickleBuilder()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark().String("p")
            .Global("torch._utils", "_rebuild_parameter").Mark()
            .Tensor("BFloat16Storage", "0", 3, 0, new[] { 3 }, new[] { 1 }).Op(0x88).Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Tuple().Reduce()
            .SetItems()
            .EmptyDict().String("_metadata").EmptyDict().Op((byte)'s').Op((byte)'b')
            .Stop().ToArray();
        var tensors = Tensors(pickle);
        Assert.Equal("p", tensors.Single().Name);
        Assert.Equal(DType.BF16, tensors[0].View.Storage.DType);
    }
}
