using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints;

/// <summary>Supplies each group's raw bytes when a checkpoint is written (smudge, materialize).</summary>
internal interface ITensorDataSource
{
    /// <summary>Writes exactly <paramref name="expected"/>.ByteLength bytes of the group's value.</summary>
    void CopyTo(TensorInfo expected, Stream output);
}
