using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Metadata;

/// <summary>
/// Recognises the metadata that Python git-theta (r-three/git-theta) stores for a checkpoint: a JSON object of the
/// model's nested parameter names whose leaves hold "tensor_metadata", "lfs_metadata" (the git-lfs pointer of the
/// parameter's serialized bytes) and "theta_metadata". GitTheta cannot read those parameter files, so every reader
/// (smudge, clean, verify, status, the MSBuild tasks) fails with one clear line instead of leaving the JSON in place
/// of the checkpoint or misreading it as a checkpoint.
/// </summary>
internal static class ReferenceMetadata
{
    private static readonly byte[] LfsKey = "\"lfs_metadata\""u8.ToArray();
    private static readonly byte[] ThetaKey = "\"theta_metadata\""u8.ToArray();
    private static readonly byte[] TensorKey = "\"tensor_metadata\""u8.ToArray();

    /// <summary>
    /// True when the leading bytes (the first 4 KiB are enough: the first parameter's leaf comes early) are Python
    /// git-theta's metadata: a JSON object naming a parameter's "lfs_metadata" and its "theta_metadata" or "tensor_metadata".
    /// </summary>
    public static bool Looks(ReadOnlySpan<byte> prefix)
    {
        var i = 0;
        while (i < prefix.Length && prefix[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i < prefix.Length && prefix[i] == (byte)'{'
            && prefix.IndexOf(LfsKey) >= 0
            && (prefix.IndexOf(ThetaKey) >= 0 || prefix.IndexOf(TensorKey) >= 0);
    }

    /// <summary>The one error every reader reports for such a file.</summary>
    public static ThetaException Error(string path) => new(
        DiagnosticIds.PythonGitThetaMetadata,
        $"{path}: holds metadata written by Python git-theta (r-three/git-theta), whose parameter files GitTheta cannot read; "
        + "check this revision out with Python git-theta ('pip install git-theta'), then run 'git theta track' and 'git add' with GitTheta to convert it.");

    /// <summary>Throws <see cref="Error"/> when the leading bytes are Python git-theta's metadata.</summary>
    public static void ThrowIfReference(ReadOnlySpan<byte> prefix, string path)
    {
        if (Looks(prefix))
        {
            throw Error(path);
        }
    }
}
