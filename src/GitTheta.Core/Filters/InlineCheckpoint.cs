using GitTheta.Core.Tensors;

namespace GitTheta.Core.Filters;

/// <summary>
/// Which checkpoints clean and smudge handle on the calling thread: for a small one, handing each group to another
/// thread costs more than the work (a git add of 200 adapters spent most of its time in thread wake-ups).
/// </summary>
internal static class InlineCheckpoint
{
    /// <summary>Up to this many tensor bytes a checkpoint is cleaned and smudged without a second thread.</summary>
    public const long MaxBytes = 8 << 20;

    public static bool Applies(IEnumerable<TensorInfo> groups)
    {
        var total = 0L;
        foreach (var group in groups)
        {
            total += group.ByteLength;
            if (total > MaxBytes)
            {
                return false;
            }
        }

        return true;
    }
}
