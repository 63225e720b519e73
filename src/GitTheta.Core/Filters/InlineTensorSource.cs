using GitTheta.Core.Checkpoints;
using GitTheta.Core.IO;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Filters;

/// <summary>
/// Rebuilds each group value on the writer's own thread, into one reused buffer, before any of its bytes are written:
/// the same guarantees as <see cref="PrefetchingTensorSource"/> (a value is complete and verified before git sees it)
/// without a second thread, whose hand-offs cost more than the reads for a small checkpoint.
/// </summary>
internal sealed class InlineTensorSource : ITensorDataSource
{
    private readonly Action<TensorInfo, Memory<byte>> materializeInto;
    private readonly Action<TensorInfo, Stream> materialize;
    private readonly Func<TensorInfo, bool> streamed;
    private byte[] buffer = Array.Empty<byte>();

    /// <param name="materializeInto">Writes a group's full value into a buffer of exactly its size.</param>
    /// <param name="materialize">Writes a group's full value to the stream (the <paramref name="streamed"/> groups).</param>
    /// <param name="streamed">The groups written straight to the output, never held.</param>
    public InlineTensorSource(Action<TensorInfo, Memory<byte>> materializeInto, Action<TensorInfo, Stream> materialize, Func<TensorInfo, bool> streamed)
    {
        this.materializeInto = materializeInto;
        this.materialize = materialize;
        this.streamed = streamed;
    }

    public void CopyTo(TensorInfo expected, Stream output)
    {
        if (streamed(expected))
        {
            var counted = new CountingStream(output);
            materialize(expected, counted);
            if (counted.Written != expected.ByteLength)
            {
                throw new InvalidDataException($"'{expected.Name}' rebuilt to {counted.Written} bytes instead of {expected.ByteLength}.");
            }

            return;
        }

        var length = (int)expected.ByteLength;
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<byte>(length);
        }

        materializeInto(expected, buffer.AsMemory(0, length));
        output.Write(buffer, 0, length);
    }
}
