using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Tasks;

/// <summary>What a checkpoint file says about itself, from its header alone (the tensor data is never read).</summary>
internal static class CheckpointInspector
{
    /// <summary>The format and number of parameters of a checkpoint file, or null when no known format recognises it.</summary>
    public static (string Format, long ParameterCount)? Inspect(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var prefix = new byte[CheckpointFormatRegistry.Default.SniffLength];
            var read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            var format = CheckpointFormatRegistry.Default.Detect(prefix.AsSpan(0, read), file);
            if (format is null)
            {
                return null;
            }

            stream.Position = 0;
            using var reader = format.OpenReader(stream, file);
            return (format.Name, reader.Tensors.Sum(t => t.ElementCount));
        }
        catch (Exception e) when (e is ThetaException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
