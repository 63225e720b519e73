using System.Buffers.Binary;
using GitTheta.Core.Checkpoints.Onnx;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.Onnx;

/// <summary>
/// Initializers in the varint-encoded typed fields (int32_data, int64_data, uint64_data), as
/// onnx.helper.make_tensor writes them without raw=True: decoded into groups, and written back with every
/// enclosing length fixed when a new value changes the encoded size.
/// </summary>
public class OnnxTypedFieldTests
{
    private static readonly OnnxFormat Format = new();

    /// <summary>A TensorProto whose values are packed varints in <paramref name="field"/>, as protobuf encodes them.</summary>
    private static ProtoWriter Typed(string name, int dataType, long[] dims, int field, IEnumerable<ulong> values)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, (ulong)dim);
        }

        return tensor.Varint(2, (ulong)dataType).Bytes(field, values.SelectMany(ProtoWriter.Encode).ToArray()).String(8, name);
    }

    private static ulong Signed(long value) => (ulong)value;

    private static byte[] Model(long[] int64Values, int[] int8Values, ushort[] halfBits, uint[] uint32Values, bool withRaw = true)
    {
        var initializers = new List<ProtoWriter>();
        if (withRaw)
        {
            initializers.Add(ProtoWriter.Tensor("raw", 1, new long[] { 2 }, TestData.RandomF32Bytes(1, 2)));
        }

        initializers.Add(Typed("ids", 7, new long[] { int64Values.Length }, 7, int64Values.Select(Signed)));
        initializers.Add(Typed("small", 3, new long[] { int8Values.Length }, 5, int8Values.Select(v => Signed(v))));
        initializers.Add(Typed("half", 10, new long[] { halfBits.Length }, 5, halfBits.Select(v => (ulong)v)));
        initializers.Add(Typed("unsigned", 12, new long[] { uint32Values.Length }, 11, uint32Values.Select(v => (ulong)v)));
        initializers.Add(ProtoWriter.Tensor("last", 1, new long[] { 1 }, TestData.RandomF32Bytes(2, 1)));
        return ProtoWriter.Model(initializers.ToArray());
    }

    private static byte[] Bytes<T>(params T[] values)
        where T : struct => TestData.Bytes(values);

    private static void AssertGroup((TensorInfo Info, byte[] Data) group, DType dtype, byte[] data)
    {
        Assert.Equal(dtype, group.Info.DType);
        Assert.Equal(data, group.Data);
    }

    [Fact]
    public void Typed_varint_fields_are_decoded_into_groups_and_round_trip_byte_for_byte()
    {
        var model = Model(new[] { 1L, -2, 1L << 40 }, new[] { -1, 5, 127 }, new ushort[] { 0x3C00, 0xBC00 }, new[] { 7u, uint.MaxValue });
        var read = FormatFixtures.ReadAll(Format, model);
        var groups = read.Groups.ToDictionary(g => g.Info.Name);
        Assert.Equal(new[] { "raw", "ids", "small", "half", "unsigned", "last" }, read.Groups.Select(g => g.Info.Name));
        AssertGroup(groups["ids"], DType.I64, Bytes(1L, -2L, 1L << 40));
        AssertGroup(groups["small"], DType.I8, new byte[] { 0xFF, 5, 127 });
        AssertGroup(groups["half"], DType.F16, Bytes<ushort>(0x3C00, 0xBC00));
        AssertGroup(groups["unsigned"], DType.U32, Bytes(7u, uint.MaxValue));
        Assert.Equal(model, FormatFixtures.RoundTrip(Format, model));
    }

    [Theory]
    [InlineData("grow")]
    [InlineData("shrink")]
    [InlineData("same-size")]
    public void New_values_whose_encoding_changes_size_give_the_model_a_protobuf_writer_would_write(string change)
    {
        var original = Model(new[] { 1L, -2, 3 }, new[] { -1, 5, 127 }, new ushort[] { 0x3C00, 0 }, new[] { 7u, 8u });
        var (ids, small) = change switch
        {
            "grow" => (new[] { 1L << 50, -2, 3 }, new[] { -1, -5, -127 }),
            "shrink" => (new[] { 1L, 2, 3 }, new[] { 1, 5, 127 }),
            _ => (new[] { 4L, -5, 6 }, new[] { -2, 6, 100 }),
        };
        var expected = Model(ids, small, new ushort[] { 0x3C00, 0 }, new[] { 7u, 8u });

        var read = FormatFixtures.ReadAll(Format, original);
        var values = read.Groups.ToDictionary(g => g.Info.Name, g => g.Data);
        values["ids"] = Bytes(ids);
        values["small"] = small.Select(v => (byte)(sbyte)v).ToArray();
        var written = FormatFixtures.Write(Format, read.Container, values);
        Assert.Equal(expected, written);

        // The rewritten model reads back to the new values; the container changes only with the lengths in it.
        var again = FormatFixtures.ReadAll(Format, written);
        Assert.Equal(Bytes(ids), again.Groups.Single(g => g.Info.Name == "ids").Data);
        Assert.Equal(change == "same-size", read.Container.AsSpan().SequenceEqual(again.Container));
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(100, false)]
    [InlineData(200, true)]
    public void A_large_change_rewrites_every_enclosing_length_and_their_widths(int count, bool grow)
    {
        // int64 zeros take 1 byte each, 2^62 takes 9: with 100 values the packed, tensor and graph lengths
        // cross 127 and their own varints widen (or narrow) by a byte, which the enclosing lengths must count.
        var zeros = new long[count];
        var big = Enumerable.Repeat(1L << 62, count).ToArray();
        var (from, to) = grow ? (zeros, big) : (big, zeros);
        var original = ProtoWriter.Model(Typed("ids", 7, new long[] { count }, 7, from.Select(Signed)), ProtoWriter.Tensor("w", 1, new long[] { 1 }, new byte[4]));
        var read = FormatFixtures.ReadAll(Format, original);
        var written = FormatFixtures.Write(Format, read.Container, new Dictionary<string, byte[]> { ["ids"] = Bytes(to), ["w"] = new byte[4] });
        Assert.Equal(ProtoWriter.Model(Typed("ids", 7, new long[] { count }, 7, to.Select(Signed)), ProtoWriter.Tensor("w", 1, new long[] { 1 }, new byte[4])), written);
    }

    [Theory]
    [InlineData("not-minimal")]
    [InlineData("out-of-range")]
    [InlineData("wrong-field")]
    [InlineData("unpacked")]
    public void Typed_data_git_theta_could_not_write_back_identically_stays_in_the_container(string kind)
    {
        var tensor = kind switch
        {
            // 5 written as two bytes (0x85 0x00): valid protobuf, but not what an encoder writes.
            "not-minimal" => new ProtoWriter().Varint(1, 1).Varint(2, 6).Bytes(5, new byte[] { 0x85, 0x00 }).String(8, "t"),
            "out-of-range" => Typed("t", 3, new long[] { 1 }, 5, new[] { 300UL }),
            "wrong-field" => Typed("t", 7, new long[] { 1 }, 5, new[] { 1UL }),
            _ => new ProtoWriter().Varint(1, 2).Varint(2, 7).Varint(7, 1).Varint(7, 2).String(8, "t"),
        };
        var model = ProtoWriter.Model(tensor, ProtoWriter.Tensor("w", 1, new long[] { 1 }, new byte[4]));
        Assert.Equal(new[] { "w" }, FormatFixtures.ReadAll(Format, model).Groups.Select(g => g.Info.Name));
        Assert.Equal(model, FormatFixtures.RoundTrip(Format, model));
    }

    [Fact]
    public void Typed_data_with_the_wrong_number_of_values_is_refused()
    {
        var model = ProtoWriter.Model(Typed("t", 7, new long[] { 3 }, 7, new[] { 1UL, 2UL }));
        Assert.Contains("does not hold 3 values", ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => FormatFixtures.ReadAll(Format, model)).Message);
    }
}
