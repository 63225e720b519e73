using System.Runtime.InteropServices;
using System.Text;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;

namespace GitTheta.Core.Tests.Storage;

/// <summary>
/// Pins the bytes and oids of stored objects. Every existing repository names its objects by these oids: if the
/// encoding changed by one byte (key order, padding, a tensor name), checkouts of old commits would stop finding them.
/// The expected values were computed outside this code base (Python: hashlib over a hand-written safetensors file).
/// </summary>
public sealed class StoredObjectEncodingTests : IDisposable
{
    private readonly TempDirectory root = new();
    private readonly LfsObjectStore store;

    public StoredObjectEncodingTests()
    {
        store = new LfsObjectStore(root.Path);
    }

    public void Dispose() => root.Dispose();

    private static TensorInfo Weight => new("encoder.weight", DType.F32, new long[] { 2, 2 });

    private static byte[] WeightValue => MemoryMarshal.AsBytes(new[] { 1f, 2f, 3f, -0.5f }.AsSpan()).ToArray();

    [Fact]
    public void A_dense_object_keeps_its_bytes_and_oid()
    {
        var header = DenseObject.Header(Weight);

        Assert.Equal(
            "H\0\0\0\0\0\0\0{\"parameter\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}       ",
            Encoding.Latin1.GetString(header));
        var expected = new ObjectRef("91c20b858c15a203fdeb0c32519f16968a964b98ca3cf1b64759092a61a11522", 96);
        Assert.Equal(expected, DenseObject.Id(Weight, WeightValue));

        using var transaction = new ObjectTransaction(store);
        Assert.Equal(expected, DenseObject.Stage(transaction, Weight, WeightValue));
        transaction.Commit();
        Assert.Equal(header.Concat(WeightValue).ToArray(), store.ReadAll(expected.Oid, "test"));
    }

    [Fact]
    public void A_streamed_dense_object_is_the_same_object_as_a_staged_one()
    {
        using var transaction = new ObjectTransaction(store);
        using var streamed = DenseObject.BeginStreamed(transaction, Weight);
        streamed.Write(WeightValue.AsSpan(0, 6));
        streamed.Write(WeightValue.AsSpan(6));

        Assert.Equal(DenseObject.Id(Weight, WeightValue), transaction.AddStreamed(streamed));
    }

    [Fact]
    public void A_container_object_keeps_its_bytes_and_oid_and_reads_back()
    {
        var container = "theta"u8.ToArray();
        using var transaction = new ObjectTransaction(store);

        var reference = ContainerObject.Stage(transaction, container);
        transaction.Commit();

        Assert.Equal(new ObjectRef("96aa9c3607163f48d3db67e1053c836d814d24044fc0dcd7b453444ab25a6302", 77), reference);
        Assert.Equal(
            "@\0\0\0\0\0\0\0{\"container\":{\"dtype\":\"U8\",\"shape\":[5],\"data_offsets\":[0,5]}}   theta",
            Encoding.Latin1.GetString(store.ReadAll(reference.Oid, "test")));
        Assert.Equal(container, ContainerObject.Read(store, reference, "model.safetensors"));
    }

    [Fact]
    public void An_update_object_keeps_its_bytes_and_oid_and_reads_back_in_order()
    {
        var tensors = new (TensorInfo Info, ReadOnlyMemory<byte> Data)[]
        {
            (new TensorInfo(SparseObject.Indices, DType.I32, new long[] { 2 }), MemoryMarshal.AsBytes(new[] { 1, 3 }.AsSpan()).ToArray()),
            (new TensorInfo(SparseObject.Values, DType.F32, new long[] { 2 }), MemoryMarshal.AsBytes(new[] { 0.5f, -1f }.AsSpan()).ToArray()),
            (new TensorInfo(SparseObject.Shape, DType.I64, new long[] { 1 }), MemoryMarshal.AsBytes(new[] { 4L }.AsSpan()).ToArray()),
        };
        using var transaction = new ObjectTransaction(store);

        var reference = UpdateObject.Stage(transaction, tensors);
        transaction.Commit();

        Assert.Equal(new ObjectRef("51f18608f8a1d1a6ec2906a12394fdd4cdb8a74d05ea37e709258788b2df9597", 216), reference);
        var read = UpdateObject.Read(store, reference, "test");
        Assert.Equal(tensors.Select(t => (t.Info.Name, t.Info.DType, t.Info.ShapeText)), read.Select(t => (t.Info.Name, t.Info.DType, t.Info.ShapeText)));
        Assert.Equal(tensors.Select(t => t.Data.ToArray()), read.Select(t => t.Data));
    }

    [Fact]
    public void A_dense_value_read_into_a_buffer_equals_the_value_copied_to_a_stream()
    {
        var reference = StageDense(Weight, WeightValue);
        var copied = new MemoryStream();
        DenseObject.CopyValue(store, Weight, reference, "test", copied);
        var buffer = new byte[Weight.ByteLength];
        DenseObject.ReadValue(store, Weight, reference, "test", buffer);

        Assert.Equal(WeightValue, copied.ToArray());
        Assert.Equal(WeightValue, buffer);
    }

    [Fact]
    public void A_dense_object_of_another_layout_is_refused_as_corrupt()
    {
        var reference = StageDense(Weight, WeightValue);
        var other = new TensorInfo("encoder.weight", DType.F32, new long[] { 4 });

        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => DenseObject.ReadValue(store, other, reference, "test", new byte[16]));
    }

    [Fact]
    public void A_dense_object_is_not_a_container()
    {
        var reference = StageDense(Weight, WeightValue);

        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => ContainerObject.Read(store, reference, "model.safetensors"));
    }

    [Fact]
    public void A_container_object_whose_bytes_changed_is_refused_as_corrupt()
    {
        using var transaction = new ObjectTransaction(store);
        var reference = ContainerObject.Stage(transaction, "theta"u8.ToArray());
        transaction.Commit();
        var path = store.PathOf(reference.Oid);
        File.SetAttributes(path, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);

        ThetaAssert.Throws(DiagnosticIds.CorruptObject, () => ContainerObject.Read(store, reference, "model.safetensors"));
    }

    private ObjectRef StageDense(TensorInfo info, byte[] value)
    {
        using var transaction = new ObjectTransaction(store);
        var reference = DenseObject.Stage(transaction, info, value);
        transaction.Commit();
        return reference;
    }
}
