using GitTheta.Core.Configuration;
using GitTheta.Core.Hashing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Merges;

/// <summary>
/// Stores merged float64 values the way the clean stores a changed group: narrowed to the group's dtype, written as a
/// dense object, with a fresh LSH signature of the stored bytes. The entry is an ordinary dense entry (git-theta stored
/// a tuple in the object field here).
/// </summary>
internal sealed class MergedValueWriter
{
    private readonly StagingContext context;
    private readonly IUpdateType dense;
    private readonly EuclideanLsh lsh;
    private readonly ThetaSettings settings;

    public MergedValueWriter(StagingContext context)
    {
        this.context = context;
        settings = context.Settings;
        dense = context.Updates.Get(DenseUpdate.TypeName, context.Path);
        lsh = new EuclideanLsh(settings.LshSignatureSize, settings.LshBucketWidth, settings.LshPoolSize);
    }

    /// <summary>Elements converted to float64 and back per chunk: small enough to stay in cache, large enough to amortise the calls.</summary>
    private const int ChunkElements = 1 << 16;

    /// <summary>Stores whole computed values.</summary>
    public ParameterEntry Write(TensorInfo info, double[] values)
    {
        if (values.LongLength != info.ElementCount)
        {
            throw new InvalidOperationException($"merged values for '{info.Name}' have {values.LongLength} elements, the group has {info.ElementCount}");
        }

        var bytes = new byte[info.ByteLength];
        ElementNarrower.FromDouble(info.DType, values, bytes);
        return Store(info, bytes);
    }

    /// <summary>
    /// Runs an element-wise combination over operand values in the group's dtype, one chunk at a time, so memory is the
    /// operands and the result in their own dtype plus a few float64 chunks, never whole groups in float64.
    /// </summary>
    public ParameterEntry Write(TensorInfo info, IReadOnlyList<byte[]> operands, ElementCombiner combine)
    {
        var size = DTypes.SizeOf(info.DType);
        var total = info.ElementCount;
        if (operands.Any(o => o.LongLength != info.ByteLength))
        {
            throw new InvalidOperationException($"an operand of '{info.Name}' does not have the group's {info.ByteLength} bytes");
        }

        var bytes = new byte[info.ByteLength];
        var chunk = (int)Math.Min(total, ChunkElements);
        var inputs = operands.Select(_ => new double[chunk]).ToArray();
        var output = new double[chunk];
        for (long start = 0; start < total; start += chunk)
        {
            var count = (int)Math.Min(chunk, total - start);
            var offset = (int)(start * size);
            for (var k = 0; k < operands.Count; k++)
            {
                ElementConverter.ToDouble(info.DType, operands[k].AsSpan(offset, count * size), inputs[k].AsSpan(0, count));
            }

            combine(inputs, count, output);
            ElementNarrower.FromDouble(info.DType, output.AsSpan(0, count), bytes.AsSpan(offset, count * size));
        }

        return Store(info, bytes);
    }

    private ParameterEntry Store(TensorInfo info, byte[] bytes)
    {
        var signature = lsh.Hash(info.DType, bytes, Math.Max(1, settings.MaxConcurrency));
        var stored = dense.Store(context, info, bytes);
        return new ParameterEntry(new TensorDescription(info.DType, info.Shape, signature), stored.Object, stored.Update);
    }
}
