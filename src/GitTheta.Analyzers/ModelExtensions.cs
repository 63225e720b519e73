using System.Collections.Immutable;

namespace GitTheta.Analyzers;

/// <summary>The file extensions that make a file a model checkpoint.</summary>
internal sealed class ModelExtensions
{
    public static readonly ImmutableArray<string> Defaults = ImmutableArray.Create(
        ".safetensors", ".pt", ".pth", ".bin", ".ckpt", ".onnx", ".gguf", ".h5", ".msgpack");

    // ';' is accepted although a .globalconfig cuts a value at it, because the same list also comes from
    // tests and other hosts that pass it unharmed.
    private static readonly char[] Separators = { ' ', '\t', ',', ';' };

    private readonly ImmutableArray<string> extensions;

    private ModelExtensions(ImmutableArray<string> extensions)
    {
        this.extensions = extensions;
    }

    /// <summary>Lower-case, dot-prefixed, longest first so that ".tar.gz" wins over ".gz".</summary>
    public ImmutableArray<string> Values => extensions;

    /// <summary>Reads a list such as ".safetensors .pt", "safetensors,pt" or "*.pt;*.onnx"; an empty list means the defaults.</summary>
    public static ModelExtensions Parse(string? list)
    {
        var parsed = (list ?? string.Empty)
            .Split(Separators, StringSplitOptions.RemoveEmptyEntries)
            .Select(Canonicalize)
            .Where(extension => extension.Length > 1)
            .ToList();

        var chosen = parsed.Count > 0 ? parsed : Defaults.ToList();
        return new ModelExtensions(chosen
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(extension => extension.Length)
            .ThenBy(extension => extension, StringComparer.Ordinal)
            .ToImmutableArray());
    }

    /// <summary>
    /// The model extension that <paramref name="fileName"/> ends with, compared without case (".PT" is a checkpoint
    /// on every system), provided that something precedes it: ".pt" alone names no file.
    /// </summary>
    public string? Match(string fileName)
    {
        foreach (var extension in extensions)
        {
            if (fileName.Length > extension.Length && fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return extension;
            }
        }

        return null;
    }

    private static string Canonicalize(string entry)
    {
        var extension = entry.Trim().TrimStart('*').ToLowerInvariant();
        return extension.StartsWith(".", StringComparison.Ordinal) ? extension : "." + extension;
    }
}
