using GitTheta.Core.Tensors;

namespace GitTheta.Core.Merges;

/// <summary>
/// Lays out a new container for one checkpoint format, when a merge keeps a set of groups (or dtypes, or shapes) that
/// no version had, so no version's container fits. A format without a composer cannot merge such changes.
/// </summary>
internal interface IContainerComposer
{
    /// <summary>The checkpoint format (as metadata names it) this composer writes.</summary>
    string FormatName { get; }

    /// <summary>
    /// A container that describes exactly <paramref name="groups"/>, with their data in the given order, keeping what
    /// else <paramref name="template"/> (our container) carries, such as the file's own metadata.
    /// </summary>
    byte[] Compose(ReadOnlySpan<byte> template, IReadOnlyList<TensorInfo> groups, string path);
}
