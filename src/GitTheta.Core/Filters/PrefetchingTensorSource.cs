using System.Collections.Concurrent;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.IO;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Filters;

/// <summary>
/// Rebuilds group values one ahead of the writer: while group k is written to git, group k+1 is read
/// from the store and verified on another thread. At most two values are in memory at once. A group over
/// the large-group size (or a dense one over the stream size) is not held at all: it is rebuilt straight into the output when its turn comes,
/// while the prefetching thread waits.
/// </summary>
internal sealed class PrefetchingTensorSource : ITensorDataSource, IDisposable
{
    private readonly BlockingCollection<(TensorInfo Info, byte[]? Buffer)> ready = new(boundedCapacity: 1);
    private readonly SemaphoreSlim largeDone = new(0);
    private readonly Action<TensorInfo, Memory<byte>> materializeInto;
    private readonly Action<TensorInfo, Stream> materialize;
    private readonly Func<TensorInfo, bool> streamed;
    private readonly BlockingCollection<byte[]> free = new();
    private readonly CancellationTokenSource cancel = new();
    private readonly Task producer;
    private Exception? failure;

    /// <param name="order">The groups in the order the format will ask for them.</param>
    /// <param name="materializeInto">Writes a group's full value into a buffer of exactly its size (the groups held ahead).</param>
    /// <param name="materialize">Writes a group's full value to the stream (the large groups, written straight to the output).</param>
    /// <param name="streamed">The groups written straight to the output, never held (over the large-group or stream size).</param>
    public PrefetchingTensorSource(IReadOnlyList<TensorInfo> order, Action<TensorInfo, Memory<byte>> materializeInto, Action<TensorInfo, Stream> materialize, Func<TensorInfo, bool> streamed)
    {
        this.materializeInto = materializeInto;
        this.materialize = materialize;
        this.streamed = streamed;
        var held = order.Where(i => !streamed(i)).ToList();
        var largest = held.Count == 0 ? 0 : held.Max(i => i.ByteLength);
        producer = Task.Run(() => Produce(order, (int)largest));
    }

    public void CopyTo(TensorInfo expected, Stream output)
    {
        (TensorInfo Info, byte[]? Buffer) item;
        try
        {
            item = ready.Take(cancel.Token);
        }
        catch (InvalidOperationException)
        {
            throw Failure();
        }

        if (item.Info.Name != expected.Name)
        {
            throw new InvalidOperationException($"Groups were requested out of order: expected '{item.Info.Name}', asked for '{expected.Name}'.");
        }

        if (item.Buffer is null)
        {
            try
            {
                var counted = new CountingStream(output);
                materialize(expected, counted);
                if (counted.Written != expected.ByteLength)
                {
                    throw new InvalidDataException($"'{expected.Name}' rebuilt to {counted.Written} bytes instead of {expected.ByteLength}.");
                }
            }
            finally
            {
                largeDone.Release();
            }

            return;
        }

        output.Write(item.Buffer, 0, (int)expected.ByteLength);
        free.Add(item.Buffer);
    }

    public void Dispose()
    {
        cancel.Cancel();
        try
        {
            producer.Wait();
        }
        catch (AggregateException)
        {
        }

        cancel.Dispose();
        ready.Dispose();
        free.Dispose();
        largeDone.Dispose();
    }

    private void Produce(IReadOnlyList<TensorInfo> order, int largest)
    {
        var allocated = 0;
        try
        {
            foreach (var info in order)
            {
                if (streamed(info))
                {
                    // The writer rebuilds it itself; one thread at a time uses the store and the caches.
                    ready.Add((info, null), cancel.Token);
                    largeDone.Wait(cancel.Token);
                    continue;
                }

                if (!free.TryTake(out var buffer))
                {
                    if (allocated < 2)
                    {
                        buffer = GC.AllocateUninitializedArray<byte>(largest);
                        allocated++;
                    }
                    else
                    {
                        buffer = free.Take(cancel.Token);
                    }
                }

                materializeInto(info, buffer.AsMemory(0, (int)info.ByteLength));

                ready.Add((info, buffer), cancel.Token);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            ready.CompleteAdding();
        }
    }

    private Exception Failure()
    {
        producer.Wait();
        return failure is null
            ? new InvalidOperationException("The group values ended early.")
            : failure is Diagnostics.ThetaException theta ? new Diagnostics.ThetaException(theta.Code, theta.Message, theta) : new InvalidOperationException(failure.Message, failure);
    }
}
