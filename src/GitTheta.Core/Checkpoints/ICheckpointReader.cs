using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints;

/// <summary>
/// Reads a checkpoint as a sequence of parameter groups, streaming: each group's bytes are read
/// before the next group is requested, so a reader never needs the whole checkpoint in memory.
/// </summary>
internal interface ICheckpointReader : IDisposable
{
    /// <summary>Every group the checkpoint declares, in the order <see cref="Next"/> returns them.</summary>
    IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The next group, or null after the last. Its data must be read fully before the next call.</summary>
    TensorInfo? Next();

    /// <summary>Reads up to destination.Length bytes of the current group's data; 0 once it is all read.</summary>
    int ReadData(Span<byte> destination);

    /// <summary>
    /// Checks that nothing follows the last group and returns the bytes, other than tensor data,
    /// that the format needs to rebuild the file exactly.
    /// </summary>
    byte[] Complete();
}
