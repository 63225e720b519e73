using System.Collections.Concurrent;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Filters;

/// <summary>
/// Rebuilds group values one ahead of the writer: while group k is written to git, group k+1 is read
/// from the store and verified on another thread. At most two values are in memory at once.
/// </summary>
public sealed class PrefetchingTensorSource : ITensorDataSource, IDisposable
{
    private readonly BlockingCollection<(TensorInfo Info, byte[] Buffer)> ready = new(boundedCapacity: 1);
    private readonly BlockingCollection<byte[]> free = new();
    private readonly CancellationTokenSource cancel = new();
    private readonly Task producer;
    private Exception? failure;

    /// <param name="order">The groups in the order the format will ask for them.</param>
    /// <param name="materialize">Writes a group's full value to the stream.</param>
    public PrefetchingTensorSource(IReadOnlyList<TensorInfo> order, Action<TensorInfo, Stream> materialize)
    {
        var largest = order.Count == 0 ? 0 : order.Max(i => i.ByteLength);
        producer = Task.Run(() => Produce(order, materialize, (int)Math.Min(largest, Array.MaxLength)));
    }

    public void CopyTo(TensorInfo expected, Stream output)
    {
        (TensorInfo Info, byte[] Buffer) item;
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
    }

    private void Produce(IReadOnlyList<TensorInfo> order, Action<TensorInfo, Stream> materialize, int largest)
    {
        var allocated = 0;
        try
        {
            foreach (var info in order)
            {
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

                using (var target = new MemoryStream(buffer, 0, (int)info.ByteLength, writable: true, publiclyVisible: true))
                {
                    materialize(info, target);
                    if (target.Position != info.ByteLength)
                    {
                        throw new InvalidDataException($"'{info.Name}' rebuilt to {target.Position} bytes instead of {info.ByteLength}.");
                    }
                }

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
