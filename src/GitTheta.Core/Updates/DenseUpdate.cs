using System.Buffers;
using System.Security.Cryptography;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Updates;

/// <summary>The value itself, as a one-tensor safetensors object named <c>parameter</c>.</summary>
public sealed class DenseUpdate : IUpdateType
{
    public const string TypeName = "dense";
    public const string TensorName = "parameter";

    /// <summary>Large enough for few system calls, small enough to be pooled rather than left to the large-object heap.</summary>
    private const int CopyChunk = 1 << 20;

    public string Name => TypeName;

    public bool IsIncremental => false;

    public StoredValue Store(UpdateContext context, TensorInfo info, ReadOnlyMemory<byte> value)
    {
        var header = SafetensorsObject.BuildHeader(new[] { (TensorName, info.DType, info.Shape) });
        var reference = context.Transaction.Add(header, value);
        return new StoredValue(reference, UpdateDescription.Dense);
    }

    public void Materialize(UpdateContext context, TensorInfo info, ParameterEntry entry, Stream output)
    {
        CopyValue(context.Store, info, entry.Object, $"{context.Path}: parameter '{info.Name}'", output);
    }

    /// <summary>
    /// Opens a dense object positioned at the first byte of its value, after checking that it holds a value of
    /// <paramref name="info"/>'s dtype and shape; the stream verifies the object when read to its end.
    /// </summary>
    /// <returns>The stream and the value's length in bytes.</returns>
    public static (VerifyingReadStream Stream, long Length) OpenValue(LfsObjectStore store, TensorInfo info, ObjectRef reference, string what)
    {
        var stream = store.OpenRead(reference.Oid, what);
        try
        {
            var header = SafetensorsObject.ReadHeader(stream, what);
            if (header.Entries.Count != 1 || header.Entries[0].Info.Name != TensorName || !header.Entries[0].Info.SameLayout(info))
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {reference.Oid} does not hold a {info.DType} {info.ShapeText} value; run 'git theta verify'.");
            }

            return (stream, header.DataLength);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Copies a dense object's value to <paramref name="output"/>, verifying the object as it goes.</summary>
    public static void CopyValue(LfsObjectStore store, TensorInfo info, ObjectRef reference, string what, Stream output)
    {
        var (stream, remaining) = OpenValue(store, info, reference, what);
        using var owned = stream;
        if (output is MemoryStream target && target.TryGetBuffer(out var segment) && target.Position + remaining <= segment.Count)
        {
            // Straight into the caller's buffer (the smudge prefetcher's): one copy fewer for every byte of the model.
            var destination = segment.AsMemory((int)target.Position, (int)remaining);
            if (stream.ReadPipelined(destination) != destination.Length)
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {reference.Oid} is truncated; delete it and run 'git theta fetch'.");
            }

            target.Position += remaining;
            stream.VerifyToEnd();
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            while (remaining > 0)
            {
                var read = stream.Read(buffer.AsSpan(0, (int)Math.Min(CopyChunk, remaining)));
                if (read == 0)
                {
                    throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {reference.Oid} is truncated; delete it and run 'git theta fetch'.");
                }

                output.Write(buffer, 0, read);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        stream.VerifyToEnd();
    }

    /// <summary>SHA-256 of a header followed by a value, without copying them together.</summary>
    internal static ObjectRef Hash(ReadOnlySpan<byte> header, ReadOnlySpan<byte> value)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(value);
        return new ObjectRef(Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), header.Length + (long)value.Length);
    }
}
