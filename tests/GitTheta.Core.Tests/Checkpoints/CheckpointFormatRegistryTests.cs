using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints;

/// <summary>CheckpointFormatRegistry.Open: the one place a checkpoint's format is detected (or taken by name) and a reader opened.</summary>
public class CheckpointFormatRegistryTests
{
    private static readonly CheckpointFormatRegistry Formats = CheckpointFormatRegistry.Default;

    [Fact]
    public void A_detected_format_opens_from_the_start_of_the_stream()
    {
        using var stream = new MemoryStream(new SafetensorsFileBuilder().Add("w", "F32", [2], new byte[8]).Build());

        using var reader = Formats.Open(stream, "model.bin");

        Assert.Equal("w", Assert.Single(reader.Tensors).Name);
    }

    [Fact]
    public void A_named_format_is_used_without_sniffing_and_an_unknown_name_is_GT2005()
    {
        using var stream = new MemoryStream(new SafetensorsFileBuilder().Add("w", "F32", [2], new byte[8]).Build());

        using (var reader = Formats.Open(stream, "model.bin", "SafeTensors"))
        {
            Assert.Single(reader.Tensors);
        }

        stream.Position = 0;
        var error = ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => Formats.Open(stream, "model.bin", "keras"));
        Assert.Contains("unknown checkpoint format 'keras'", error.Message);
    }

    [Fact]
    public void Bytes_no_format_recognises_are_GT2005_or_the_callers_own_error()
    {
        using var stream = new MemoryStream("not a checkpoint at all"u8.ToArray());

        var error = ThetaAssert.Throws(DiagnosticIds.UnknownFormat, () => Formats.Open(stream, "notes.txt"));
        Assert.Contains("notes.txt: not a checkpoint format git-theta recognises. Supported formats: safetensors", error.Message);

        var own = ThetaAssert.Throws(DiagnosticIds.InvalidUpdateData, () => Formats.Open(stream, "notes.txt", unknown: () => new ThetaException(DiagnosticIds.InvalidUpdateData, "custom")));
        Assert.Equal("custom", own.Message);
    }
}
