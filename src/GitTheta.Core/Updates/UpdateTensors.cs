using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>
/// The content of an incremental update's object: named tensors, stored in the order given as an
/// <see cref="UpdateObject"/>, so any safetensors reader can open it and equal updates give equal oids.
/// </summary>
internal sealed class UpdateTensors
{
    private readonly IReadOnlyList<UpdateTensor> tensors;

    public UpdateTensors(IReadOnlyList<UpdateTensor> tensors)
    {
        this.tensors = tensors;
    }

    public IReadOnlyList<UpdateTensor> Tensors => tensors;

    /// <summary>Bytes of tensor data, without the header.</summary>
    public long DataLength => tensors.Sum(t => (long)t.Data.Length);

    /// <summary>Bytes of the stored object: header and data.</summary>
    public long ObjectLength => StoredObjectHeader.For(tensors.Select(t => t.Info).ToList()).Length + DataLength;

    public UpdateTensor? Find(string name) => tensors.FirstOrDefault(t => t.Info.Name == name);

    /// <summary>The tensor named <paramref name="name"/>; a stored update without it is corrupt.</summary>
    public UpdateTensor Get(string name, string where) =>
        Find(name) ?? throw new ThetaException(DiagnosticIds.CorruptObject, $"{where}: the stored update has no tensor '{name}'; run 'git theta verify'.");

    /// <summary>Stages the object in the clean's transaction.</summary>
    public ObjectRef Stage(ObjectTransaction transaction) =>
        UpdateObject.Stage(transaction, tensors.Select(t => (t.Info, t.Data)).ToList());

    /// <summary>Reads and verifies a stored update object.</summary>
    public static UpdateTensors Read(IObjectReader store, ObjectRef reference, string what) =>
        new(UpdateObject.Read(store, reference, what).Select(t => new UpdateTensor(t.Info, t.Data)).ToList());
}
