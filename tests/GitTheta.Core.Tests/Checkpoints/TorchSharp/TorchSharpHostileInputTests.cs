using GitTheta.Core.Checkpoints.TorchSharp;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints.TorchSharp;

/// <summary>Invalid and hostile TorchSharp files: each is refused with one clear code, without allocating what the file claims.</summary>
public class TorchSharpHostileInputTests
{
    /// <summary>Refusing a small file may not cost more than this (the files here are all under a kilobyte).</summary>
    private const long AllocationBudget = 4 << 20;

    private static ThetaException Refuse(string code, byte[] file)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var exception = ThetaAssert.Throws(code, () => FormatFixtures.ReadAll(new TorchSharpFormat(), file, "model.dat"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationBudget, $"refusing a {file.Length}-byte file allocated {allocated} bytes");
        Assert.StartsWith("model.dat: ", exception.Message);
        return exception;
    }

    [Fact]
    public void Empty_input_is_truncated()
    {
        Refuse(DiagnosticIds.TruncatedCheckpoint, Array.Empty<byte>());
    }

    [Theory]
    [InlineData(1UL << 40)]
    [InlineData(1UL << 62)]
    [InlineData(int.MaxValue)]
    [InlineData(1_000UL)]
    public void An_entry_count_the_file_cannot_hold_is_refused_before_anything_is_allocated(ulong claimed)
    {
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Count(claimed).Float32("w", 2).Build());

        Assert.Contains(claimed > int.MaxValue ? "larger than TorchSharp writes" : $"claims {claimed} entries", exception.Message);
    }

    [Theory]
    [InlineData(1UL << 40)]
    [InlineData(int.MaxValue)]
    [InlineData(100_000UL)]
    public void A_name_longer_than_the_file_is_refused_without_reading_it(ulong claimed)
    {
        var file = new TorchSharpFileBuilder().Count(1).Raw(TorchSharpFileBuilder.Leb128(claimed)).Raw("abc"u8.ToArray()).Build();

        Refuse(claimed > int.MaxValue ? DiagnosticIds.InvalidCheckpoint : DiagnosticIds.TruncatedCheckpoint, file);
    }

    [Fact]
    public void Every_truncation_of_a_real_checkpoint_is_refused_with_a_clear_code()
    {
        var bytes = FormatFixtures.Read("torchsharp/dtypes.dat");
        for (var length = 0; length < bytes.Length; length++)
        {
            var exception = Assert.Throws<ThetaException>(() => FormatFixtures.ReadAll(new TorchSharpFormat(), bytes[..length], "model.dat"));
            Assert.True(exception.Code is DiagnosticIds.TruncatedCheckpoint or DiagnosticIds.InvalidCheckpoint, $"a {length}-byte prefix gave {exception}");
        }
    }

    [Fact]
    public void Data_shorter_than_the_shape_says_is_truncated_and_names_the_entry()
    {
        var file = new TorchSharpFileBuilder().Count(1).Name("encoder.weight").Header(6, 1000, 1000).Raw(new byte[64]).Build();

        var exception = Refuse(DiagnosticIds.TruncatedCheckpoint, file);

        Assert.Contains("'encoder.weight' [1000, 1000] needs 4000000 bytes", exception.Message);
    }

    [Theory]
    [InlineData(8UL)]
    [InlineData(16UL)]
    [InlineData(99UL)]
    [InlineData(1UL << 40)]
    public void An_unknown_scalar_type_code_is_invalid(ulong code)
    {
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Count(1).Name("w").Header(code, 1).Raw(new byte[8]).Build());

        Assert.Contains($"scalar type code {code}", exception.Message);
    }

    [Theory]
    [InlineData(9UL, "ComplexFloat32")]
    [InlineData(10UL, "ComplexFloat64")]
    [InlineData(12UL, "QInt8")]
    public void A_complex_or_quantized_tensor_is_an_unsupported_dtype(ulong code, string name)
    {
        var exception = Refuse(DiagnosticIds.UnsupportedDType, new TorchSharpFileBuilder().Count(1).Name("w").Header(code, 1).Raw(new byte[16]).Build());

        Assert.Contains($"'w' is a {name} tensor", exception.Message);
    }

    [Fact]
    public void A_rank_over_64_is_invalid()
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Count(1).Name("w").Header(6, Enumerable.Repeat(1UL, 65).ToArray()).Raw(new byte[4]).Build());
    }

    [Fact]
    public void A_shape_whose_byte_count_overflows_is_invalid()
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Count(1).Name("w").Header(6, 1UL << 31, 1UL << 31, 1UL << 31).Build());
    }

    [Fact]
    public void A_varint_longer_than_64_bits_is_invalid()
    {
        var overlong = Enumerable.Repeat((byte)0xFF, 11).Append((byte)0).ToArray();

        Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Raw(overlong).Build());
    }

    [Fact]
    public void A_repeated_name_is_invalid()
    {
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Count(2).Float32("w", 1).Float32("w", 1).Build());

        Assert.Contains("'w' appears twice", exception.Message);
    }

    [Fact]
    public void Bytes_after_the_last_entry_are_invalid()
    {
        var exception = Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Count(1).Float32("w", 1).Raw(new byte[] { 7 }).Build());

        Assert.Contains("1 bytes follow the last of its 1 entries", exception.Message);
    }

    [Fact]
    public void A_name_that_is_not_UTF8_is_invalid()
    {
        Refuse(DiagnosticIds.InvalidCheckpoint, new TorchSharpFileBuilder().Count(1).Raw(new byte[] { 2, 0xC3, 0x28 }).Header(6, 1).Raw(new byte[4]).Build());
    }

    [Theory]
    [InlineData("weight")]
    [InlineData("encoder.layers.0.self_attn.in_proj_weight")]
    [InlineData("fc1.bias")]
    [InlineData("PK")]
    [InlineData("GGUF")]
    public void A_module_of_any_size_is_detected_as_torchsharp_and_not_as_a_format_with_a_signature(string firstName)
    {
        // 8 entries start with the byte ONNX's ir_version tag has; 128 and more need a two-byte count.
        foreach (var entries in new[] { 1, 2, 8, 10, 127, 128, 300 })
        {
            var builder = new TorchSharpFileBuilder().Count((ulong)entries);
            for (var i = 0; i < entries; i++)
            {
                builder.Float32(i == 0 ? firstName : $"layer{i}.weight", 3);
            }

            var file = builder.Build();
            Assert.Equal(TorchSharpFormat.FormatName, GitTheta.Core.Checkpoints.CheckpointFormatRegistry.Default.Detect(file.AsSpan(0, Math.Min(file.Length, 4096)), "model.bin")?.Name);
        }
    }

    [Fact]
    public void Text_and_other_files_without_a_plausible_first_entry_are_not_sniffed()
    {
        var format = new TorchSharpFormat();

        Assert.False(format.Sniff("not a checkpoint at all"u8));
        Assert.False(format.Sniff("abcdefghijklmnopqrstuvwxyz0123456789"u8));
        Assert.False(format.Sniff(new byte[] { 0, 0, 0, 0 }));
        Assert.False(format.Sniff(new TorchSharpFileBuilder().Count(1).Name("w").Header(99, 1).Build()));
        Assert.False(format.Sniff(new TorchSharpFileBuilder().Count(1).Name("w\u0001").Header(6, 1).Build()));
        Assert.True(format.Sniff(new TorchSharpFileBuilder().Count(1).Float32("w", 1).Build()));
        Assert.True(format.Sniff(new byte[] { 0 }));
    }
}
