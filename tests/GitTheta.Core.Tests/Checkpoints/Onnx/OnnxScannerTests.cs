using GitTheta.Core.Checkpoints.Onnx;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.Onnx;

/// <summary>ONNX models written by hand: every way an initializer can hold its data, and bad lengths.</summary>
public class OnnxScannerTests
{
    private static readonly OnnxFormat Format = new();

    [Theory]
    [InlineData(1, DType.F32)]
    [InlineData(2, DType.U8)]
    [InlineData(3, DType.I8)]
    [InlineData(4, DType.U16)]
    [InlineData(5, DType.I16)]
    [InlineData(6, DType.I32)]
    [InlineData(7, DType.I64)]
    [InlineData(9, DType.BOOL)]
    [InlineData(10, DType.F16)]
    [InlineData(11, DType.F64)]
    [InlineData(12, DType.U32)]
    [InlineData(13, DType.U64)]
    [InlineData(16, DType.BF16)]
    [InlineData(17, DType.F8_E4M3)]
    [InlineData(19, DType.F8_E5M2)]
    public void Raw_data_of_every_mapped_type_is_a_group_and_round_trips(int dataType, DType dtype)
    {
        var raw = TestData.RandomBytes(dataType, 6 * DTypes.SizeOf(dtype));
        var model = ProtoWriter.Model(ProtoWriter.Tensor("w", dataType, new long[] { 2, 3 }, raw));
        var read = FormatFixtures.ReadAll(Format, model);
        var group = Assert.Single(read.Groups);
        Assert.Equal((dtype, "[2, 3]"), (group.Info.DType, group.Info.ShapeText));
        Assert.Equal(raw, group.Data);
        Assert.Equal(model, FormatFixtures.RoundTrip(Format, model));
    }

    [Fact]
    public void Packed_float_and_double_data_are_groups_and_unknown_fields_stay_in_place()
    {
        var floats = TestData.RandomF32Bytes(1, 4);
        var doubles = TestData.RandomBytes(2, 16);
        var floatTensor = new ProtoWriter().Tag(1, 2).Raw(new byte[] { 2, 2, 2 }).Varint(2, 1).Bytes(4, floats).String(8, "f").Varint(99, 5);
        var doubleTensor = new ProtoWriter().Varint(1, 2).Varint(2, 11).String(8, "d").Bytes(10, doubles).String(12, "a doc string");
        var model = ProtoWriter.Model(floatTensor, doubleTensor);
        var read = FormatFixtures.ReadAll(Format, model);
        Assert.Equal(new[] { "f", "d" }, read.Groups.Select(g => g.Info.Name));
        Assert.Equal(floats, read.Groups[0].Data);
        Assert.Equal(new long[] { 2, 2 }, read.Groups[0].Info.Shape);
        Assert.Equal(doubles, read.Groups[1].Data);
        Assert.Equal(model, FormatFixtures.RoundTrip(Format, model));
    }

    [Fact]
    public void Initializers_without_a_dtype_or_without_data_stay_in_the_container()
    {
        var strings = new ProtoWriter().Varint(1, 1).Varint(2, 8).Bytes(6, "hello"u8.ToArray()).String(8, "s");
        var complex = ProtoWriter.Tensor("c", 14, new long[] { 1 }, new byte[8]);
        var empty = new ProtoWriter().Varint(1, 0).Varint(2, 1).String(8, "e");
        var model = ProtoWriter.Model(strings, complex, empty, ProtoWriter.Tensor("w", 1, new long[] { 1 }, new byte[4]));
        Assert.Equal(new[] { "w" }, FormatFixtures.ReadAll(Format, model).Groups.Select(g => g.Info.Name));
        Assert.Equal(model, FormatFixtures.RoundTrip(Format, model));
    }

    [Fact]
    public void External_data_is_refused_with_how_to_fix_it()
    {
        var external = new ProtoWriter().Varint(1, 4).Varint(2, 1).String(8, "big")
            .Message(13, new ProtoWriter().String(1, "location").String(2, "weights.bin")).Varint(14, 1);
        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => FormatFixtures.ReadAll(Format, ProtoWriter.Model(external)));
        Assert.Contains("'big'", error.Message);
        Assert.Contains("save_as_external_data=False", error.Message);
    }

    [Theory]
    [InlineData("raw-longer-than-tensor", DiagnosticIds.InvalidCheckpoint, "enclosing message")]
    [InlineData("graph-longer-than-file", DiagnosticIds.TruncatedCheckpoint, "file ends")]
    [InlineData("raw-size-mismatch", DiagnosticIds.InvalidCheckpoint, "holds 7 bytes")]
    [InlineData("group-wire-type", DiagnosticIds.InvalidCheckpoint, "wire type 3")]
    [InlineData("overlong-varint", DiagnosticIds.InvalidCheckpoint, "varint")]
    [InlineData("truncated", DiagnosticIds.TruncatedCheckpoint, "truncated")]
    [InlineData("duplicate-names", DiagnosticIds.InvalidCheckpoint, "two initializers")]
    [InlineData("two-graphs", DiagnosticIds.InvalidCheckpoint, "second main graph")]
    [InlineData("no-graph", DiagnosticIds.InvalidCheckpoint, "no graph")]
    [InlineData("huge-dims", DiagnosticIds.InvalidCheckpoint, "too large")]
    [InlineData("negative-dim", DiagnosticIds.InvalidCheckpoint, "negative dimension")]
    [InlineData("segments", DiagnosticIds.InvalidCheckpoint, "segments")]
    [InlineData("two-data-fields", DiagnosticIds.InvalidCheckpoint, "more than one field")]
    [InlineData("empty", DiagnosticIds.TruncatedCheckpoint, "empty")]
    public void Bad_models_are_refused_with_one_clear_error_and_bounded_memory(string kind, string code, string message)
    {
        var good = ProtoWriter.Model(ProtoWriter.Tensor("w", 1, new long[] { 2 }, new byte[8]));
        var model = kind switch
        {
            "raw-longer-than-tensor" => Patch(good, new byte[] { 0x4a, 0x08 }, new byte[] { 0x4a, 0x7f }),
            "graph-longer-than-file" => new ProtoWriter().Varint(1, 8).Tag(7, 2).Raw(ProtoWriter.Encode(1UL << 40)).Raw(new byte[32]).ToArray(),
            "raw-size-mismatch" => ProtoWriter.Model(ProtoWriter.Tensor("w", 1, new long[] { 2 }, new byte[7])),
            "group-wire-type" => new ProtoWriter().Varint(1, 8).Tag(7, 3).ToArray(),
            "overlong-varint" => new ProtoWriter().Varint(1, 8).Raw(Enumerable.Repeat((byte)0xFF, 12).ToArray()).ToArray(),
            "truncated" => good[..^3],
            "duplicate-names" => ProtoWriter.Model(ProtoWriter.Tensor("w", 1, new long[] { 1 }, new byte[4]), ProtoWriter.Tensor("w", 1, new long[] { 1 }, new byte[4])),
            "two-graphs" => good.Concat(new ProtoWriter().Message(7, new ProtoWriter().String(2, "g2")).ToArray()).ToArray(),
            "no-graph" => new ProtoWriter().Varint(1, 8).String(2, "test").ToArray(),
            "huge-dims" => ProtoWriter.Model(ProtoWriter.Tensor("w", 1, new long[] { 1L << 40, 1L << 40 }, new byte[4])),
            "negative-dim" => ProtoWriter.Model(new ProtoWriter().Varint(1, ulong.MaxValue).Varint(2, 1).String(8, "w").Bytes(9, new byte[4])),
            "segments" => ProtoWriter.Model(new ProtoWriter().Varint(1, 1).Varint(2, 1).Message(3, new ProtoWriter().Varint(1, 0)).String(8, "w").Bytes(9, new byte[4])),
            "two-data-fields" => ProtoWriter.Model(new ProtoWriter().Varint(1, 1).Varint(2, 1).String(8, "w").Bytes(9, new byte[4]).Bytes(4, new byte[4])),
            _ => Array.Empty<byte>(),
        };
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<GitTheta.Core.Diagnostics.ThetaException>(() => FormatFixtures.ReadAll(Format, model));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (4 << 20), "refusing the model allocated more than 4 MiB");
        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Thousands_of_initializers_are_read_without_a_buffer_per_initializer()
    {
        var model = ProtoWriter.Model(Enumerable.Range(0, 4000).Select(i => ProtoWriter.Tensor($"w{i}", 1, new long[] { 1 }, BitConverter.GetBytes((float)i))).ToArray());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = FormatFixtures.ReadAll(Format, model);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (64 << 20), "reading 4000 initializers allocated more than 64 MiB");
        Assert.Equal(4000, read.Groups.Count);
    }

    [Fact]
    public void Sniffing_needs_ir_version_then_model_fields()
    {
        var model = ProtoWriter.Model(ProtoWriter.Tensor("w", 1, new long[] { 1 }, new byte[4]));
        Assert.True(Format.Sniff(model));
        Assert.True(Format.Sniff(model.AsSpan(0, 4)));
        Assert.False(Format.Sniff(new ProtoWriter().Varint(1, 8).Varint(13, 1).ToArray()));
        Assert.False(Format.Sniff(new ProtoWriter().Varint(2, 8).String(2, "x").ToArray()));
        Assert.False(Format.Sniff("PK\u0003\u0004 not onnx"u8));
    }

    private static byte[] Patch(byte[] bytes, byte[] from, byte[] to)
    {
        var copy = (byte[])bytes.Clone();
        var at = copy.AsSpan().IndexOf(from);
        Assert.True(at >= 0);
        to.CopyTo(copy, at);
        return copy;
    }
}
