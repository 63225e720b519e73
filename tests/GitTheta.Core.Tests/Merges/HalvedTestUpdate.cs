using System.Runtime.InteropServices;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Merges;

/// <summary>
/// A test-only F32 update type whose object is not the value (it holds half of it): a merge that read objects as
/// values, instead of asking the entry's update type to materialize them, would get every number wrong.
/// </summary>
internal sealed class HalvedTestUpdate : IUpdateType
{
    public const string TypeName = "halved-test";

    public string Name => TypeName;

    public bool IsIncremental => false;

    public StoredValue Store(StagingContext context, TensorInfo info, ReadOnlyMemory<byte> value)
    {
        var halves = MemoryMarshal.Cast<byte, float>(value.Span).ToArray().Select(v => v / 2).ToArray();
        return new StoredValue(DenseObject.Stage(context.Transaction, info, MemoryMarshal.AsBytes(halves.AsSpan()).ToArray()), new UpdateDescription(TypeName));
    }

    public void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Stream output) =>
        output.Write(Doubled(context, info, entry));

    public void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Memory<byte> destination) =>
        Doubled(context, info, entry).CopyTo(destination.Span);

    private static byte[] Doubled(UpdateContext context, TensorInfo info, ParameterEntry entry)
    {
        var stored = new byte[info.ByteLength];
        DenseObject.ReadValue(context.Store, info, entry.Object, info.Name, stored);
        var doubled = MemoryMarshal.Cast<byte, float>(stored).ToArray().Select(v => v * 2).ToArray();
        return MemoryMarshal.AsBytes(doubled.AsSpan()).ToArray();
    }
}
