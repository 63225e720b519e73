using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Filters;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Checkpoints.Gguf;

/// <summary>Clean and smudge of GGUF files: quantized blocks are compared exactly, whatever the float tolerances.</summary>
public sealed class GgufCleanTests : IDisposable
{
    private readonly TempDirectory root = new();

    [Fact]
    public void A_one_byte_change_in_a_quantized_tensor_is_a_change_even_with_tolerances_that_hide_float_changes()
    {
        // Tolerances so loose that a float moved by 1 counts as unchanged: quantized blocks must still compare exactly.
        var settings = StoredObjects.Settings with { Atol = 10, Rtol = 1, LshThreshold = 100 };
        var store = new LfsObjectStore(root.Path);
        var cleaner = new ThetaCleaner(new ThetaEngine(store, settings, null));
        var smudger = new ThetaSmudger(new ThetaEngine(store, settings, null));

        var floats = new byte[16];
        var blocks = TestData.RandomBytes(3, 34);
        byte[] File(byte[] f, byte[] q) => new GgufBuilder().Tensor("f", new ulong[] { 4 }, 0, f).Tensor("q", new ulong[] { 32 }, 8, q).Build();
        var v1 = File(floats, blocks);
        var metadata = MetadataSerializer.Parse(cleaner.Clean(new MemoryStream(v1), "m.gguf", null, null), "m.gguf");

        var movedFloats = TestData.Bytes(new[] { 1f, 1f, 1f, 1f });
        var movedBlocks = (byte[])blocks.Clone();
        movedBlocks[20] ^= 1;
        var v2 = File(movedFloats, movedBlocks);
        var metadata2 = MetadataSerializer.Parse(cleaner.Clean(new MemoryStream(v2), "m.gguf", metadata, null), "m.gguf");

        Assert.Equal(metadata.Parameters["f"].Object, metadata2.Parameters["f"].Object);
        Assert.NotEqual(metadata.Parameters["q"].Object, metadata2.Parameters["q"].Object);
        Assert.Equal(1, cleaner.LastNewObjects);

        using var result = smudger.PrepareCheckpoint(metadata2, "m.gguf");
        var output = new MemoryStream();
        result.WriteTo(output);
        Assert.Equal(File(floats, movedBlocks), output.ToArray());
    }

    public void Dispose() => root.Dispose();
}
