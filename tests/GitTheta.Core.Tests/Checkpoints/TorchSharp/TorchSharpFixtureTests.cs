using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.TorchSharp;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Tests.Checkpoints.TorchSharp;

/// <summary>The checkpoints real TorchSharp 0.107 wrote with Module.save (tests/fixtures/torchsharp), through the reader and writer.</summary>
public class TorchSharpFixtureTests
{
    private static readonly TorchSharpFormat Format = new();

    public static TheoryData<string> Fixtures() => new(
        "torchsharp/convnet.dat", "torchsharp/changed/convnet.dat", "torchsharp/dtypes.dat", "torchsharp/embedding.dat",
        "torchsharp/linear-float64.dat", "torchsharp/empty.dat");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_fixture_is_rebuilt_byte_for_byte(string fixture)
    {
        var bytes = FormatFixtures.Read(fixture);

        Assert.Equal(bytes, FormatFixtures.RoundTrip(Format, bytes));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_fixture_is_sniffed_as_torchsharp_whatever_its_name(string fixture)
    {
        var bytes = FormatFixtures.Read(fixture);

        Assert.Equal(TorchSharpFormat.FormatName, CheckpointFormatRegistry.Default.Detect(bytes.AsSpan(0, Math.Min(bytes.Length, 4096)), "model.bin")?.Name);
    }

    [Fact]
    public void Every_dtype_TorchSharp_saves_is_a_group_of_that_dtype_with_its_shape()
    {
        var groups = FormatFixtures.ReadAll(Format, FormatFixtures.Read("torchsharp/dtypes.dat")).Groups.ToDictionary(g => g.Info.Name, g => g);

        Assert.Equal((DType.F32, "[6, 2]"), (groups["weight"].Info.DType, groups["weight"].Info.ShapeText));
        Assert.Equal((DType.F32, "[4, 3]"), (groups["f32"].Info.DType, groups["f32"].Info.ShapeText));
        Assert.Equal((DType.F64, "[2, 5]"), (groups["f64"].Info.DType, groups["f64"].Info.ShapeText));
        Assert.Equal((DType.F16, "[7]"), (groups["f16"].Info.DType, groups["f16"].Info.ShapeText));
        Assert.Equal((DType.BF16, "[3, 3]"), (groups["bf16"].Info.DType, groups["bf16"].Info.ShapeText));
        Assert.Equal((DType.I64, "[3, 4]"), (groups["i64"].Info.DType, groups["i64"].Info.ShapeText));
        Assert.Equal((DType.I32, "[6]"), (groups["i32"].Info.DType, groups["i32"].Info.ShapeText));
        Assert.Equal((DType.I16, "[8]"), (groups["i16"].Info.DType, groups["i16"].Info.ShapeText));
        Assert.Equal((DType.I8, "[16]"), (groups["i8"].Info.DType, groups["i8"].Info.ShapeText));
        Assert.Equal((DType.U8, "[18]"), (groups["u8"].Info.DType, groups["u8"].Info.ShapeText));
        Assert.Equal((DType.BOOL, "[5]"), (groups["flags"].Info.DType, groups["flags"].Info.ShapeText));
        Assert.Equal((DType.F32, "[]"), (groups["scalar"].Info.DType, groups["scalar"].Info.ShapeText));
        Assert.Equal((DType.F32, "[0, 4]"), (groups["nothing"].Info.DType, groups["nothing"].Info.ShapeText));
        Assert.Equal(DType.F32, groups["größe"].Info.DType);
        Assert.Contains(groups.Keys, name => name.Length > 127);

        // The values are TorchSharp's, little-endian: arange(-6, 6) as int64 and (true, false, false, true, true).
        Assert.Equal(-6L, BitConverter.ToInt64(groups["i64"].Data, 0));
        Assert.Equal(5L, BitConverter.ToInt64(groups["i64"].Data, 88));
        Assert.Equal(new byte[] { 1, 0, 0, 1, 1 }, groups["flags"].Data);
        Assert.Equal(3.5f, BitConverter.ToSingle(groups["scalar"].Data));
    }

    [Fact]
    public void Parameters_then_buffers_are_all_groups_in_the_order_TorchSharp_saved_them()
    {
        var names = FormatFixtures.ReadAll(Format, FormatFixtures.Read("torchsharp/convnet.dat")).Groups.Select(g => g.Info.Name).ToList();

        Assert.Equal(
            new[]
            {
                "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "features.3.weight",
                "features.4.weight", "features.4.bias", "classifier.weight", "classifier.bias",
                "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked",
                "features.4.running_mean", "features.4.running_var", "features.4.num_batches_tracked",
            },
            names);
    }

    [Fact]
    public void A_two_layer_fine_tune_changes_those_two_groups_and_nothing_in_the_container()
    {
        var original = FormatFixtures.ReadAll(Format, FormatFixtures.Read("torchsharp/convnet.dat"));
        var changed = FormatFixtures.ReadAll(Format, FormatFixtures.Read("torchsharp/changed/convnet.dat"));

        Assert.Equal(original.Container, changed.Container);
        var differing = original.Groups.Zip(changed.Groups).Where(p => !p.First.Data.AsSpan().SequenceEqual(p.Second.Data)).Select(p => p.First.Info.Name);
        Assert.Equal(new[] { "features.0.weight", "classifier.bias" }, differing);
    }

    [Fact]
    public void The_other_formats_fixtures_are_not_taken_for_torchsharp()
    {
        var others = Directory.EnumerateFiles(FormatFixtures.Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}torchsharp{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(others);
        foreach (var file in others)
        {
            using var stream = File.OpenRead(file);
            var prefix = new byte[4096];
            var read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            Assert.False(Format.Sniff(prefix.AsSpan(0, read)), $"{file} was sniffed as TorchSharp");
        }
    }
}
