using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>The value itself, stored as a <see cref="DenseObject"/>.</summary>
internal sealed class DenseUpdate : IUpdateType
{
    public const string TypeName = "dense";

    public string Name => TypeName;

    public bool IsIncremental => false;

    public StoredValue Store(StagingContext context, TensorInfo info, ReadOnlyMemory<byte> value) =>
        new(DenseObject.Stage(context.Transaction, info, value), UpdateDescription.Dense);

    public void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Stream output) =>
        DenseObject.CopyValue(context.Store, info, entry.Object, What(context, info), output, overlap: context.Settings.MaxConcurrency > 1);

    public void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Memory<byte> destination) =>
        DenseObject.ReadValue(context.Store, info, entry.Object, What(context, info), destination);

    private static string What(UpdateContext context, TensorInfo info) => $"{context.Path}: parameter '{info.Name}'";
}
