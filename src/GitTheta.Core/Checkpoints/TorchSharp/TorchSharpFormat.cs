using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.TorchSharp;

/// <summary>
/// TorchSharp's own state-dict format, written by <c>Module.save</c> and read by <c>Module.load</c>: every parameter
/// and buffer is a parameter group; the entry count and each entry's name, scalar type and shape (LEB128 fields kept
/// exactly as written) are the container, so the file is rebuilt byte for byte.
/// </summary>
internal sealed class TorchSharpFormat : ICheckpointFormat
{
    public const string FormatName = "torchsharp";

    public string Name => FormatName;

    /// <summary>TorchSharp's documentation and samples save to ".dat"; the extension only decides when sniffing cannot.</summary>
    public IReadOnlyList<string> Extensions { get; } = new[] { ".dat" };

    public int SniffLength => 4096;

    public bool Sniff(ReadOnlySpan<byte> prefix) => TorchSharpSniffer.Sniff(prefix);

    public ICheckpointReader OpenReader(Stream input, string path)
    {
        var file = SpooledFile.From(input);
        try
        {
            return new SplicedReader(file, FormatName, TorchSharpLayoutParser.FindGroups(file, path), ReadOnlyMemory<byte>.Empty, path);
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
