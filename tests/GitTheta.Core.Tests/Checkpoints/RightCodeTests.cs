using System.Buffers.Binary;
using System.Text;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.PyTorch;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tests.Checkpoints.PyTorch;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Checkpoints;

/// <summary>
/// Failures that came out with the wrong code or advice (issue 11, item 12): invalid UTF-8 in a safetensors header
/// (GT2000), a damaged stored object or container (GT2002 "re-save the checkpoint"), a TorchScript archive
/// ("rewritten by another tool").
/// </summary>
public sealed class RightCodeTests
{
    [Fact]
    public void Invalid_utf8_in_a_safetensors_header_is_GT2002_naming_the_byte()
    {
        var file = Safetensors("{\"w\u00ff\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", latin1: true);

        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => FormatFixtures.ReadAll(new SafetensorsFormat(), file, "m.safetensors"));

        // 8 length bytes, then {"w and the 0xff.
        Assert.Equal("m.safetensors: safetensors header is not valid UTF-8 (at byte 11 of the file); the file is corrupt or not safetensors.", error.Message);
    }

    [Fact]
    public void A_stored_object_whose_header_does_not_parse_is_GT2008_with_no_advice_to_re_save_the_checkpoint()
    {
        var holes = Safetensors("{\"parameter\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}");

        var error = ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => SafetensorsObject.ReadHeader(new MemoryStream(holes), "m.safetensors: parameter 'w'"));

        Assert.Equal(
            "m.safetensors: parameter 'w': the stored object is damaged (invalid safetensors header: tensor 'parameter' starts at 4 but the previous one ends at 0 (holes are not allowed)); run 'git theta verify', delete the object it names and run 'git theta fetch'.",
            error.Message);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9]}}", "invalid safetensors header: tensor 'w' spans 9 bytes but F32 [2] needs 8")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", "safetensors header is not valid JSON")]
    [InlineData("{\"w\u00ff\":{}}", "safetensors header is not valid UTF-8 (at byte 11 of the file)")]
    public void A_stored_safetensors_container_that_does_not_parse_is_GT2008(string header, string detail)
    {
        var container = Safetensors(header, latin1: true);

        var error = ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => new SafetensorsFormat().DescribeContainer(container, "m.safetensors"));

        Assert.StartsWith($"m.safetensors: the stored safetensors container is damaged ({detail}", error.Message);
        Assert.EndsWith("; run 'git theta verify', delete the object it names and run 'git theta fetch'.", error.Message);
        Assert.DoesNotContain("Re-save", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_TorchScript_archive_is_refused_as_not_supported_whether_streamed_or_spooled(bool spooled)
    {
        // As torch.jit.save lays it out (PyTorch 1.13): storages, data.pkl, code (compressed by PyTorch), constants.
        var file = new TorchZipBuilder()
            .Add("ts/data/0", Enumerable.Range(0, 24).Select(i => (byte)i).ToArray())
            .Add("ts/data.pkl", TorchZipBuilder.OneTensorPickle())
            .Add("ts/code/__torch__/torch/nn/modules/linear.py", "class Linear(Module):\n"u8.ToArray())
            .Add("ts/constants.pkl", new byte[] { 0x80, 2, (byte)')', (byte)'.' })
            .Add("ts/version", "3\n"u8.ToArray())
            .Build();

        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () =>
        {
            using var reader = spooled ? PyTorchFormat.OpenSpooled(new MemoryStream(file, writable: false), "m.pt") : new PyTorchFormat().OpenReader(new TrickleStream(file, 777), "m.pt");
            while (reader.Next() is { } info)
            {
                reader.ReadData(new byte[info.ByteLength]);
            }

            reader.Complete();
        });

        Assert.Equal(
            "m.pt: is a TorchScript archive (torch.jit.save; it holds 'ts/code/__torch__/torch/nn/modules/linear.py'), which git-theta does not support; track its weights instead (torch.save(model.state_dict(), path)) or store the file with plain git-lfs.",
            error.Message);
    }

    [Fact]
    public void A_pickle_that_builds_a_TorchScript_class_is_refused_as_TorchScript()
    {
        var pickle = new PickleBuilder().Global("__torch__.torch.nn.modules.linear", "Linear").Op((byte)')', 0x81).Stop().ToArray();

        var error = ThetaAssert.Throws(DiagnosticIds.InvalidCheckpoint, () => PickleMachine.Run(pickle, new TorchPickleRules("m.pt: data.pkl"), "m.pt: data.pkl"));

        Assert.StartsWith("m.pt: data.pkl builds the TorchScript class '__torch__.torch.nn.modules.linear.Linear': the file is a TorchScript archive (torch.jit.save), which git-theta does not support", error.Message);
    }

    /// <summary>A safetensors file (or container) of <paramref name="header"/>, padded, and 8 data bytes when the header names them.</summary>
    private static byte[] Safetensors(string header, bool latin1 = false)
    {
        var json = latin1 ? Encoding.Latin1.GetBytes(header) : Encoding.UTF8.GetBytes(header);
        var padded = json.Concat(Enumerable.Repeat((byte)' ', (8 - (json.Length % 8)) % 8)).ToArray();
        var file = new byte[8 + padded.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded.Length);
        padded.CopyTo(file, 8);
        return file;
    }
}
