using System.Buffers.Binary;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Safetensors;

/// <summary>
/// safetensors: the container is the 8-byte length plus the header exactly as found, so a
/// checkpoint whose groups did not change is rebuilt byte for byte, <c>__metadata__</c> and padding included.
/// </summary>
internal sealed class SafetensorsFormat : ICheckpointFormat
{
    public const string FormatName = "safetensors";

    public string Name => FormatName;

    public int SniffLength => 9;

    public IReadOnlyList<string> Extensions { get; } = new[] { ".safetensors" };

    public bool Sniff(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 9)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        return length >= 2 && length <= SafetensorsHeader.MaxHeaderLength && prefix[8] == (byte)'{';
    }

    public ICheckpointReader OpenReader(Stream input, string path) => new SafetensorsReader(input, path);

    public IReadOnlyList<TensorInfo> DescribeContainer(ReadOnlySpan<byte> container, string path) =>
        ParseContainer(container, path).Entries.Select(e => e.Info).ToList();

    public void Write(ReadOnlySpan<byte> container, ITensorDataSource tensors, Stream output, string path)
    {
        var header = ParseContainer(container, path);
        output.Write(container);
        foreach (var entry in header.Entries)
        {
            tensors.CopyTo(entry.Info, output);
        }
    }

    private static SafetensorsHeader ParseContainer(ReadOnlySpan<byte> container, string path)
    {
        if (container.Length < 8)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{path}: the stored safetensors container is {container.Length} bytes, too short; run 'git theta verify'.");
        }

        var bytes = container.ToArray();
        return StoredBytes.Parse(path, "the stored safetensors container", () =>
        {
            var length = SafetensorsHeader.ReadLength(bytes, path);
            if (length != bytes.Length - 8)
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{path}: the stored safetensors container is inconsistent; run 'git theta verify'.");
            }

            return SafetensorsHeader.Parse(bytes.AsSpan(8), path);
        });
    }
}
