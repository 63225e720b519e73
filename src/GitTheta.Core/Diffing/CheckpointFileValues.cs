using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Diffing;

/// <summary>
/// Values read from a checkpoint file (a modified working file, which a diff hashes without storing anything, so its
/// new values exist nowhere else). The file is read forward like a clean reads it; asking for a group it has already
/// passed starts again from the top, which reading in <see cref="ReadingOrder"/> never does.
/// </summary>
internal sealed class CheckpointFileValues : IGroupValueSource
{
    private const int SkipChunk = 1 << 20;

    private readonly string file;
    private readonly string path;
    private readonly ICheckpointFormat format;
    private readonly Dictionary<string, int> positions;
    private byte[]? scratch;
    private FileStream stream;
    private ICheckpointReader reader;

    /// <summary>How many groups <see cref="reader"/> has returned.</summary>
    private int returned;

    /// <param name="file">The checkpoint file.</param>
    /// <param name="path">The checkpoint's repository-relative path, for messages.</param>
    /// <param name="format">Its format, the one its metadata records.</param>
    public CheckpointFileValues(string file, string path, ICheckpointFormat format)
    {
        this.file = file;
        this.path = path;
        this.format = format;
        (stream, reader) = Open();
        ReadingOrder = reader.Tensors.Select(t => t.Name).ToList();
        positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ReadingOrder.Count; i++)
        {
            positions.TryAdd(ReadingOrder[i], i);
        }
    }

    public IReadOnlyList<string> ReadingOrder { get; }

    public void Prepare(IReadOnlyList<(string Name, ParameterEntry Entry)> groups)
    {
    }

    public byte[] Read(string name, ParameterEntry entry)
    {
        if (!positions.TryGetValue(name, out var position))
        {
            throw Changed(name);
        }

        if (position < returned)
        {
            reader.Dispose();
            stream.Dispose();
            (stream, reader) = Open();
            returned = 0;
        }

        while (reader.Next() is { } info)
        {
            returned++;
            if (info.Name != name)
            {
                Skip();
                continue;
            }

            if (!info.SameLayout(entry.Tensor.ToInfo(name)) || info.ByteLength > Array.MaxLength)
            {
                throw Changed(name);
            }

            var value = GC.AllocateUninitializedArray<byte>((int)info.ByteLength);
            return reader.ReadFully(value) == value.Length
                ? value
                : throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: {file} ends inside parameter '{name}'.");
        }

        throw Changed(name);
    }

    public void Dispose()
    {
        reader.Dispose();
        stream.Dispose();
    }

    private (FileStream Stream, ICheckpointReader Reader) Open()
    {
        var opened = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        try
        {
            return (opened, format.OpenReader(opened, path));
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    private void Skip()
    {
        scratch ??= new byte[SkipChunk];
        while (reader.ReadData(scratch) > 0)
        {
        }
    }

    /// <summary>The file no longer holds what it held when the diff hashed it a moment ago.</summary>
    private ThetaException Changed(string name) =>
        new(DiagnosticIds.InvalidCheckpoint, $"{path}: parameter '{name}' of {file} is not what it was when the diff read it; the file changed while the diff ran, run it again.");
}
