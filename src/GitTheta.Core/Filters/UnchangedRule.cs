using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Filters;

/// <summary>
/// Whether a group whose bytes changed still counts as unchanged: the one rule for groups held whole
/// (<see cref="ThetaCleaner"/>) and groups read in chunks (<see cref="LargeGroupCleaner"/>). A NaN or infinite
/// signature, or a dtype that is not floating point, leaves only an exact comparison; otherwise an LSH distance
/// below atol is unchanged, one at or above the LSH threshold is changed, and one between is decided by
/// allclose against the stored value.
/// </summary>
internal static class UnchangedRule
{
    public enum Verdict
    {
        ExactBytesOnly,
        Unchanged,
        CompareWithStored,
        Changed,
    }

    public static Verdict Judge(TensorInfo info, LshSignature signature, ParameterEntry old, EuclideanLsh lsh, ThetaSettings settings)
    {
        if (signature.IsDegenerate || old.Tensor.Lsh.IsDegenerate || !DTypes.IsFloatingPoint(info.DType))
        {
            // NaN or infinity: the LSH distance means nothing. Integers, booleans and raw quantized blocks (GGUF)
            // are not noisy floats either.
            return Verdict.ExactBytesOnly;
        }

        var distance = signature.DistanceTo(old.Tensor.Lsh, lsh.BucketWidth);
        return distance < settings.Atol ? Verdict.Unchanged
            : distance < settings.LshThreshold ? Verdict.CompareWithStored
            : Verdict.Changed;
    }

    /// <summary>Rebuilds the stored value into <paramref name="comparer"/>; a value that cannot be read is not close.</summary>
    public static bool IsCloseToStored(TensorInfo info, ParameterEntry old, AllCloseStream comparer, UpdateContext context)
    {
        try
        {
            context.Updates.Get(old.Update.Type, $"{context.Path}: parameter '{info.Name}'").Materialize(context, info, old, comparer);
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.MissingObject or DiagnosticIds.CorruptObject)
        {
            // Without the old value there is nothing to compare: store the new one, which is always safe.
            return false;
        }

        return comparer.Finish();
    }
}
