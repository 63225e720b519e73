using System.Buffers;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Storage;

/// <summary>
/// A value stored whole: a safetensors object holding one tensor named <c>parameter</c> of the group's dtype and shape.
/// Clean, merge and squash write it; checkout, diff and merge read it back, verified.
/// </summary>
internal static class DenseObject
{
    /// <summary>The name of the object's one tensor.</summary>
    public const string TensorName = "parameter";

    /// <summary>Large enough for few system calls, small enough to be pooled rather than left to the large-object heap.</summary>
    private const int CopyChunk = 1 << 20;

    /// <summary>The object's header for a value of <paramref name="info"/>'s dtype and shape.</summary>
    public static byte[] Header(TensorInfo info) => StoredObjectHeader.For(new[] { new TensorInfo(TensorName, info.DType, info.Shape) });

    /// <summary>The reference of the object holding <paramref name="value"/> (<paramref name="header"/> from <see cref="Header"/>), without writing it.</summary>
    public static ObjectRef Id(ReadOnlySpan<byte> header, ReadOnlySpan<byte> value) => ObjectId.Of(header, value);

    /// <summary>The reference of the object holding <paramref name="value"/>, a value of <paramref name="info"/>, without writing it.</summary>
    public static ObjectRef Id(TensorInfo info, ReadOnlySpan<byte> value) => ObjectId.Of(Header(info), value);

    /// <summary>Stages the object holding <paramref name="value"/> in <paramref name="transaction"/> (in the metadata when it is small and <paramref name="mayInline"/>).</summary>
    public static ObjectRef Stage(ObjectTransaction transaction, TensorInfo info, ReadOnlyMemory<byte> value, bool mayInline = true) =>
        transaction.Add(Header(info), value, mayInline);

    /// <summary>Starts the object of a value too large to hold, written as its bytes arrive (see <see cref="StreamedObject"/>).</summary>
    public static StreamedObject BeginStreamed(ObjectTransaction transaction, TensorInfo info) => transaction.BeginStreamed(Header(info));

    /// <summary>
    /// Opens a dense object positioned at the first byte of its value, after checking that it holds a value of
    /// <paramref name="info"/>'s dtype and shape; the stream verifies the object when read to its end.
    /// </summary>
    /// <returns>The stream and the value's length in bytes.</returns>
    public static (VerifyingReadStream Stream, long Length) Open(IObjectReader store, TensorInfo info, ObjectRef reference, string what)
    {
        var stream = store.OpenRead(reference, what);
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

    /// <summary>
    /// Reads a dense object's value into <paramref name="destination"/> (exactly the value's length), verifying the
    /// object: the read goes straight into the caller's memory, with no copy in between.
    /// </summary>
    public static void ReadValue(IObjectReader store, TensorInfo info, ObjectRef reference, string what, Memory<byte> destination)
    {
        var (stream, length) = Open(store, info, reference, what);
        using var owned = stream;
        if (length != destination.Length)
        {
            throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {reference.Oid} holds {length} bytes of value where {destination.Length} were expected; run 'git theta verify'.");
        }

        if (stream.ReadPipelined(destination) != destination.Length)
        {
            throw Truncated(reference, what);
        }

        stream.VerifyToEnd();
    }

    /// <summary>
    /// Copies a dense object's value to <paramref name="output"/>, verifying the object as it goes. With
    /// <paramref name="overlap"/>, each chunk is read and hashed on another thread while the one before it is written:
    /// a checkout's output is git's pipe, about as slow per byte as SHA-256, so doing the two one after the other
    /// added their times.
    /// </summary>
    public static void CopyValue(IObjectReader store, TensorInfo info, ObjectRef reference, string what, Stream output, bool overlap = true)
    {
        var (stream, remaining) = Open(store, info, reference, what);
        using var owned = stream;
        var current = ArrayPool<byte>.Shared.Rent(CopyChunk);
        var next = overlap && remaining > CopyChunk ? ArrayPool<byte>.Shared.Rent(CopyChunk) : null;
        Task<int>? reading = null;
        try
        {
            var read = remaining > 0 ? ReadChunk(stream, current, remaining, reference, what) : 0;
            while (read > 0)
            {
                remaining -= read;
                if (next is null)
                {
                    output.Write(current, 0, read);
                    read = remaining > 0 ? ReadChunk(stream, current, remaining, reference, what) : 0;
                    continue;
                }

                if (remaining > 0)
                {
                    var into = next;
                    var left = remaining;
                    reading = Task.Run(() => ReadChunk(stream, into, left, reference, what));
                }

                output.Write(current, 0, read);
                if (reading is null)
                {
                    break;
                }

                read = reading.GetAwaiter().GetResult();
                reading = null;
                (current, next) = (next, current);
            }
        }
        finally
        {
            // A failed write leaves a read in flight on the stream and the buffers: it ends before they go.
            if (reading is not null)
            {
                try
                {
                    reading.Wait();
                }
                catch (AggregateException)
                {
                }
            }

            ArrayPool<byte>.Shared.Return(current);
            if (next is not null)
            {
                ArrayPool<byte>.Shared.Return(next);
            }
        }

        stream.VerifyToEnd();
    }

    private static int ReadChunk(VerifyingReadStream stream, byte[] buffer, long remaining, ObjectRef reference, string what)
    {
        var read = stream.Read(buffer.AsSpan(0, (int)Math.Min(CopyChunk, remaining)));
        return read == 0 ? throw Truncated(reference, what) : read;
    }

    private static ThetaException Truncated(ObjectRef reference, string what) =>
        new(DiagnosticIds.CorruptObject, $"{what}: stored object {reference.Oid} is truncated; delete it and run 'git theta fetch'.");
}
