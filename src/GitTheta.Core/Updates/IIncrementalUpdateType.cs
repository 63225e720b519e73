using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>
/// An update type whose object is applied on top of a previous value (sparse, low-rank, IA3). The clean infers the
/// update from the previous and the new value, or builds it from side-loaded update data; checkout applies it.
/// </summary>
internal interface IIncrementalUpdateType : IUpdateType
{
    /// <summary>
    /// The tensors side-loaded update data holds for a group, named <c>&lt;group&gt;/&lt;key&gt;</c> (low-rank: R and C);
    /// empty when the type reads no update data.
    /// </summary>
    IReadOnlyList<string> UpdateDataKeys { get; }

    /// <summary>Whether a group of this dtype and shape can be stored as this type at all (others are stored dense).</summary>
    bool Supports(TensorInfo info);

    /// <summary>The update that turns <paramref name="baseValue"/> into <paramref name="value"/>, or why this type should not store it.</summary>
    UpdateInference Infer(UpdateContext context, TensorInfo info, ReadOnlySpan<byte> baseValue, ReadOnlySpan<byte> value);

    /// <summary>Builds the update from side-loaded tensors (keyed by <see cref="UpdateDataKeys"/>), checking them against the group (GT2019).</summary>
    UpdateTensors FromUpdateData(TensorInfo info, IReadOnlyDictionary<string, UpdateTensor> tensors, string where);

    /// <summary>Applies a stored update in place: <paramref name="value"/> holds the base value and receives the new one.</summary>
    void Apply(TensorInfo info, UpdateTensors update, Span<byte> value, string where);
}
