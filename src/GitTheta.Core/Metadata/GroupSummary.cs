using GitTheta.Core.Tensors;

namespace GitTheta.Core.Metadata;

/// <summary>One parameter group of a <see cref="CheckpointSummary"/>: its entry plus the sizes its metadata implies.</summary>
internal sealed record GroupSummary(string Name, ParameterEntry Entry)
{
    public TensorInfo Info => Entry.Tensor.ToInfo(Name);

    public long ElementCount => Info.ElementCount;

    /// <summary>The bytes of the value in the checkpoint (elements × dtype size), whatever the stored object holds.</summary>
    public long ValueBytes => Info.ByteLength;
}
