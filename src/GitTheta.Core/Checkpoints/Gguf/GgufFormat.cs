using System.Buffers.Binary;
using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Gguf;

/// <summary>
/// GGUF (llama.cpp, LLamaSharp): every tensor is a parameter group (quantized ones as their raw blocks);
/// the header (key-value metadata, tensor infos) and the alignment padding are the container, so the
/// file is rebuilt byte for byte.
/// </summary>
internal sealed class GgufFormat : ICheckpointFormat
{
    public const string FormatName = "gguf";

    public string Name => FormatName;

    public IReadOnlyList<string> Extensions { get; } = new[] { ".gguf" };

    public int SniffLength => 8;

    /// <summary>The magic "GGUF"; any version, so that an unsupported one gets a clear error rather than "unknown format".</summary>
    public bool Sniff(ReadOnlySpan<byte> prefix) =>
        prefix.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(prefix) == GgufHeaderParser.Magic;

    public ICheckpointReader OpenReader(Stream input, string path)
    {
        var file = SpooledFile.From(input);
        try
        {
            return new SplicedReader(file, FormatName, GgufHeaderParser.FindGroups(file, path), ReadOnlyMemory<byte>.Empty, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public IReadOnlyList<TensorInfo> DescribeContainer(ReadOnlySpan<byte> container, string path) =>
        SplicedLayout.Parse(container.ToArray(), FormatName, path).Groups.Select(g => g.Info).ToList();

    public void Write(ReadOnlySpan<byte> container, ITensorDataSource tensors, Stream output, string path) =>
        SplicedWriter.Write(SplicedLayout.Parse(container.ToArray(), FormatName, path), tensors, output);
}
