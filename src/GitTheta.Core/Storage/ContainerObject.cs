using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Storage;

/// <summary>
/// A checkpoint's container: the bytes its format needs besides the tensors (a safetensors header, a PyTorch pickle
/// and zip layout, an ONNX graph), stored as a safetensors object holding one U8 tensor named <c>container</c>.
/// Clean and merge write it; checkout and merge read it back, verified.
/// </summary>
internal static class ContainerObject
{
    /// <summary>The name of the object's one tensor.</summary>
    public const string TensorName = "container";

    /// <summary>
    /// The most container bytes read back: they are held in one array, which cannot be longer. A clean holds the
    /// container in an array too, so it never writes a container that cannot be read.
    /// </summary>
    public static readonly long MaxBytes = Array.MaxLength;

    /// <summary>The object's header for <paramref name="length"/> container bytes.</summary>
    public static byte[] Header(long length) =>
        StoredObjectHeader.For(new[] { new TensorInfo(TensorName, DType.U8, new[] { length }) });

    /// <summary>Stages the container object for <paramref name="container"/> in <paramref name="transaction"/>.</summary>
    public static ObjectRef Stage(ObjectTransaction transaction, byte[] container) =>
        transaction.Add(Header(container.Length), container);

    /// <summary>Reads a checkpoint's container bytes from its object, verified; <paramref name="path"/> is the checkpoint's, for messages.</summary>
    public static byte[] Read(IObjectReader store, ObjectRef reference, string path)
    {
        var what = $"{path}: checkpoint container";
        using var stream = store.OpenRead(reference, what);
        var header = SafetensorsObject.ReadHeader(stream, what);
        if (header.Entries.Count != 1 || header.Entries[0].Info.Name != TensorName || header.Entries[0].Info.DType != DType.U8
            || header.DataLength > MaxBytes)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: object {reference.Oid} is not a checkpoint container; run 'git theta verify'.");
        }

        var bytes = new byte[header.DataLength];
        if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: object {reference.Oid} is truncated; delete it and run 'git theta fetch'.");
        }

        stream.VerifyToEnd();
        return bytes;
    }
}
