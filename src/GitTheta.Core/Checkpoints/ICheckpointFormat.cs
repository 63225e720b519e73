namespace GitTheta.Core.Checkpoints;

/// <summary>A checkpoint file format: how to read one into groups and write one back, byte for byte.</summary>
internal interface ICheckpointFormat
{
    /// <summary>The name used in metadata and in the gitattribute <c>theta-format=</c>.</summary>
    string Name { get; }

    /// <summary>File name endings (".safetensors") that suggest this format when sniffing is inconclusive.</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>How many leading bytes <see cref="Sniff"/> needs to decide.</summary>
    int SniffLength { get; }

    /// <summary>True when the leading bytes look like this format.</summary>
    bool Sniff(ReadOnlySpan<byte> prefix);

    /// <summary>Reads a checkpoint; <paramref name="path"/> is for messages only.</summary>
    ICheckpointReader OpenReader(Stream input, string path);

    /// <summary>Writes the checkpoint described by <paramref name="container"/>, pulling group bytes from <paramref name="tensors"/>.</summary>
    void Write(ReadOnlySpan<byte> container, ITensorDataSource tensors, Stream output, string path);

    /// <summary>The groups (names, dtypes, shapes) a container describes, in the order <see cref="Write"/> asks for their data.</summary>
    IReadOnlyList<Tensors.TensorInfo> DescribeContainer(ReadOnlySpan<byte> container, string path);
}
