using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;

namespace GitTheta.Tasks;

/// <summary>
/// What a model file is, through the repository's format registry (<see cref="ThetaRepository"/>'s, the one the filters
/// detect formats with): whether git-theta can clean it, and a checkpoint's format and parameter count from its header
/// alone (the tensor data is never read).
/// </summary>
internal static class CheckpointInspector
{
    /// <summary>
    /// True when git-theta can clean the model: a Format is declared, its name ends like a checkpoint format's, or the
    /// work-tree file's leading bytes carry a format's signature. A tokenizer, a config or a README is not a checkpoint.
    /// </summary>
    public static bool IsCheckpoint(ThetaRepository repository, ThetaModelItem model)
    {
        if (model.Format.Length > 0 || repository.Formats.Formats.Any(f => f.Extensions.Any(e => model.FullPath.EndsWith(e, StringComparison.OrdinalIgnoreCase))))
        {
            return true;
        }

        // Content alone decides for an unusual name, and a pointer or metadata standing in for it says nothing.
        return Inspect(repository.Formats, model.FullPath) is not null;
    }

    /// <summary>The format and number of parameters of a checkpoint file, or null when no known format recognises it.</summary>
    public static (string Format, long ParameterCount)? Inspect(CheckpointFormatRegistry formats, string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (formats.Detect(stream, file) is not { } format)
            {
                return null;
            }

            using var reader = formats.Open(stream, file, format.Name);
            return (format.Name, reader.Tensors.Sum(t => t.ElementCount));
        }
        catch (Exception e) when (e is ThetaException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
