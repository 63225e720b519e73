using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints;

/// <summary>Invalid and hostile files: each is refused with one clear code, and without allocating what the file claims.</summary>
public class SafetensorsHostileInputTests
{
    /// <summary>Refusing a small file may not cost more than this (the files here are all under a kilobyte).</summary>
    private const long AllocationBudget = 4 << 20;

    private static ThetaException Refuse(string code, byte[] file)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var exception = ThetaAssert.Throws(code, () => CheckpointReading.ReadAll(new MemoryStream(file, writable: false)));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationBudget, $"refusing a {file.Length}-byte file allocated {allocated} bytes");
        Assert.Contains("model.safetensors", exception.Message);
        return exception;
    }

    private static string Tensor(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void Empty_input_is_truncated()
    {
        Refuse(DiagnosticIds.TruncatedCheckpoint, Array.Empty<byte>());
    }

    [Fact]
    public void Input_shorter_than_the_length_prefix_is_truncated()
    {
        Refuse(DiagnosticIds.TruncatedCheckpoint, new byte[] { 16, 0, 0, 0, 0 });
    }

    [Theory]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    [InlineData(100_000_001UL)]
    public void A_header_length_over_the_limit_is_refused_unread(ulong claimed)
    {
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.Assemble(claimed, "{}"u8.ToArray(), Array.Empty<byte>()));
        Assert.Contains(claimed.ToString(), exception.Message);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void A_header_length_too_small_for_json_is_invalid(ulong claimed)
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.Assemble(claimed, "{}"u8.ToArray(), Array.Empty<byte>()));
    }

    [Theory]
    [InlineData(1_000UL)]
    [InlineData(99_999_999UL)]
    public void A_header_length_larger_than_the_file_is_truncated_without_allocating_the_claim(ulong claimed)
    {
        var header = Encoding.UTF8.GetBytes("{" + Tensor("w", "U8", "[4]", 0, 4) + "}");
        Refuse(DiagnosticIds.TruncatedCheckpoint, SafetensorsFileBuilder.Assemble(claimed, header, new byte[4]));
    }

    [Theory]
    [InlineData("{\"w\":")]
    [InlineData("not json at all")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",}}")]
    [InlineData("{}{}")]
    [InlineData("\u00ff\u00fe")]
    public void A_header_that_is_not_valid_json_is_invalid(string json)
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 0));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("{\"w\":[1,2]}")]
    [InlineData("{\"__metadata__\":[\"x\"]}")]
    [InlineData("{\"__metadata__\":{\"n\":1}}")]
    [InlineData("{\"__metadata__\":{\"deep\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{}}}}}}}}}}")]
    public void A_header_of_the_wrong_shape_is_invalid(string json)
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 0));
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}")]
    [InlineData("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}")]
    [InlineData("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}")]
    public void A_tensor_entry_with_missing_malformed_or_extra_fields_is_invalid(string json)
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 4));
    }

    [Theory]
    [InlineData("[-1]")]
    [InlineData("[2,-2]")]
    [InlineData("[1.5]")]
    [InlineData("[\"4\"]")]
    [InlineData("[18446744073709551616]")]
    public void A_shape_with_a_negative_fractional_or_non_numeric_dimension_is_invalid(string shape)
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson("{" + Tensor("w", "U8", shape, 0, 4) + "}", 4));
    }

    [Fact]
    public void An_unknown_dtype_is_unsupported()
    {
        var exception = Refuse(DiagnosticIds.UnsupportedDType, SafetensorsFileBuilder.FromJson("{" + Tensor("w", "F128", "[1]", 0, 16) + "}", 16));
        Assert.Contains("F128", exception.Message);
        Assert.Contains("'w'", exception.Message);
    }

    [Fact]
    public void Offsets_that_end_before_they_begin_are_invalid()
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson("{" + Tensor("w", "U8", "[0]", 4, 0) + "}", 4));
    }

    [Theory]
    [InlineData("F32", "[3]", 8)]
    [InlineData("F32", "[3]", 16)]
    [InlineData("BF16", "[2,2]", 4)]
    [InlineData("U8", "[]", 0)]
    [InlineData("F64", "[0]", 8)]
    public void A_size_that_does_not_match_dtype_and_shape_is_invalid(string dtype, string shape, long size)
    {
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson("{" + Tensor("w", dtype, shape, 0, size) + "}", (int)size));
        Assert.Contains("'w'", exception.Message);
    }

    [Theory]
    [InlineData("U8", "[1099511627776,1099511627776]")]
    [InlineData("F64", "[2305843009213693952]")]
    [InlineData("F32", "[4294967296,4294967296,4294967296]")]
    [InlineData("I8", "[9223372036854775807,2]")]
    public void A_shape_whose_size_overflows_is_invalid(string dtype, string shape)
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson("{" + Tensor("w", dtype, shape, 0, 16) + "}", 16));
    }

    [Fact]
    public void Overlapping_offsets_are_invalid()
    {
        var json = "{" + Tensor("a", "U8", "[8]", 0, 8) + "," + Tensor("b", "U8", "[8]", 4, 12) + "}";
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 12));
        Assert.Contains("overlaps", exception.Message);
    }

    [Fact]
    public void Two_tensors_sharing_the_same_bytes_are_invalid()
    {
        var json = "{" + Tensor("a", "U8", "[8]", 0, 8) + "," + Tensor("b", "U8", "[8]", 0, 8) + "}";
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 8));
    }

    [Fact]
    public void A_hole_between_tensors_is_invalid()
    {
        var json = "{" + Tensor("a", "U8", "[4]", 0, 4) + "," + Tensor("b", "U8", "[4]", 8, 12) + "}";
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 12));
        Assert.Contains("holes", exception.Message);
    }

    [Fact]
    public void A_hole_before_the_first_tensor_is_invalid()
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson("{" + Tensor("a", "U8", "[4]", 4, 8) + "}", 8));
    }

    [Fact]
    public void Offsets_past_the_end_of_the_file_are_truncated()
    {
        var json = "{" + Tensor("a", "U8", "[4]", 0, 4) + "," + Tensor("b", "F32", "[1000]", 4, 4004) + "}";
        var exception = Refuse(DiagnosticIds.TruncatedCheckpoint, SafetensorsFileBuilder.FromJson(json, 100));
        Assert.Contains("'b'", exception.Message);
    }

    [Fact]
    public void Offsets_claiming_far_more_than_the_file_holds_are_truncated_without_allocating_the_claim()
    {
        var json = "{" + Tensor("huge", "U8", "[1099511627776]", 0, 1099511627776) + "}";
        Refuse(DiagnosticIds.TruncatedCheckpoint, SafetensorsFileBuilder.FromJson(json, 16));
    }

    [Fact]
    public void A_duplicate_tensor_name_is_invalid()
    {
        var json = "{" + Tensor("w", "U8", "[4]", 0, 4) + "," + Tensor("w", "U8", "[4]", 4, 8) + "}";
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 8));
        Assert.Contains("twice", exception.Message);
    }

    [Fact]
    public void A_duplicate_metadata_key_is_invalid()
    {
        var json = "{\"__metadata__\":{},\"__metadata__\":{}," + Tensor("w", "U8", "[4]", 0, 4) + "}";
        Refuse(DiagnosticIds.InvalidCheckpoint, SafetensorsFileBuilder.FromJson(json, 4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Trailing_bytes_after_the_last_tensor_are_invalid(int extra)
    {
        var file = new SafetensorsFileBuilder().Add("w", "F32", new long[] { 2 }, new byte[8]).Build();
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, file.Concat(new byte[extra]).ToArray());
        Assert.Contains("follow the last tensor", exception.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(39)]
    public void A_file_cut_inside_a_tensor_is_truncated(int missing)
    {
        var file = new SafetensorsFileBuilder()
            .Add("a", "F32", new long[] { 2 }, new byte[8])
            .Add("b", "F64", new long[] { 5 }, new byte[40])
            .Build();
        var exception = Refuse(DiagnosticIds.TruncatedCheckpoint, file[..^missing]);
        Assert.Contains("'b'", exception.Message);
    }

    [Fact]
    public void A_file_cut_inside_the_header_is_truncated()
    {
        var file = new SafetensorsFileBuilder().Add("w", "F32", new long[] { 2 }, new byte[8]).Build();
        Refuse(DiagnosticIds.TruncatedCheckpoint, file[..20]);
    }
}
