using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Safetensors;

/// <summary>Streams a safetensors file: header first, then each tensor in data-offset order.</summary>
internal sealed class SafetensorsReader : ICheckpointReader
{
    private readonly Stream input;
    private readonly string path;
    private readonly SafetensorsHeader header;
    private readonly byte[] container;
    private int next;
    private long remaining;

    public SafetensorsReader(Stream input, string path)
    {
        this.input = input;
        this.path = path;
        var prefix = new byte[8];
        ReadExactly(prefix, "the 8-byte header length");
        var length = SafetensorsHeader.ReadLength(prefix, path);
        container = ReadContainer(prefix, 8 + length);
        header = SafetensorsHeader.Parse(container.AsSpan(8), path);
        Tensors = header.Entries.Select(e => e.Info).ToList();
    }

    public IReadOnlyList<TensorInfo> Tensors { get; }

    public TensorInfo? Next()
    {
        if (remaining != 0)
        {
            throw new InvalidOperationException("The previous tensor's data was not read fully.");
        }

        if (next == header.Entries.Count)
        {
            return null;
        }

        var entry = header.Entries[next++];
        remaining = entry.End - entry.Begin;
        return entry.Info;
    }

    public int ReadData(Span<byte> destination)
    {
        if (remaining == 0 || destination.Length == 0)
        {
            return 0;
        }

        var want = (int)Math.Min(destination.Length, remaining);
        var total = 0;
        while (total < want)
        {
            var read = input.Read(destination[total..want]);
            if (read == 0)
            {
                var name = header.Entries[next - 1].Info.Name;
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file ends inside tensor '{name}' ({remaining - total} bytes missing); the checkpoint is truncated. Re-save it and add it again.");
            }

            total += read;
        }

        remaining -= total;
        return total;
    }

    public byte[] Complete()
    {
        if (next != header.Entries.Count || remaining != 0)
        {
            throw new InvalidOperationException("Complete() before every tensor was read.");
        }

        Span<byte> probe = stackalloc byte[1];
        if (input.Read(probe) != 0)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: bytes follow the last tensor (the header accounts for {header.DataLength} data bytes); the file is corrupt or not a plain safetensors file.");
        }

        return container;
    }

    public void Dispose()
    {
    }

    /// <summary>
    /// Reads the length prefix and header, growing the buffer as bytes arrive: a header length the
    /// input cannot back costs memory in proportion to the input, not to the claim.
    /// </summary>
    private byte[] ReadContainer(byte[] prefix, long total)
    {
        var buffer = new byte[Math.Min(total, 64 << 10)];
        prefix.CopyTo(buffer, 0);
        var filled = prefix.Length;
        while (filled < total)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(total, 2L * buffer.Length));
            }

            var read = input.Read(buffer.AsSpan(filled));
            if (read == 0)
            {
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file ends inside the header; the checkpoint is truncated or empty.");
            }

            filled += read;
        }

        return buffer;
    }

    private void ReadExactly(Span<byte> buffer, string what)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = input.Read(buffer[total..]);
            if (read == 0)
            {
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file ends inside {what}; the checkpoint is truncated or empty.");
            }

            total += read;
        }
    }
}
