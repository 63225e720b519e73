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
    private readonly UpdateContext context;
    private readonly IUpdateType dense;
    private readonly EuclideanLsh lsh;
    private readonly ThetaSettings settings;

    public MergedValueWriter(UpdateContext context, UpdateTypeRegistry updates)
    {
        this.context = context;
        settings = context.Settings;
        dense = updates.Get(DenseUpdate.TypeName, context.Path);
        lsh = new EuclideanLsh(settings.LshSignatureSize, settings.LshBucketWidth, settings.LshPoolSize);
    }

    public ParameterEntry Write(TensorInfo info, double[] values)
    {
        if (values.LongLength != info.ElementCount)
        {
            throw new InvalidOperationException($"merged values for '{info.Name}' have {values.LongLength} elements, the group has {info.ElementCount}");
        }

        var bytes = new byte[info.ByteLength];
        ElementNarrower.FromDouble(info.DType, values, bytes);
        var signature = lsh.Hash(info.DType, bytes, Math.Max(1, settings.MaxConcurrency));
        var stored = dense.Store(context, info, bytes);
        return new ParameterEntry(new TensorDescription(info.DType, info.Shape, signature), stored.Object, stored.Update);
    }
}
