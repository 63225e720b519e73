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

    // For the syntax pre-filter, which runs on every string literal of the compilation: the last characters of the
    // extensions (null when one is not ASCII, which turns that shortcut off), and every tail of an extension shorter
    // than the extension ("safetensors", "tensors", "s", ... for ".safetensors").
    private readonly string? asciiLastCharacters;
    private readonly HashSet<string> partialExtensions;
    private readonly int longestExtension;

    // Plain loops: this runs in every build, and LINQ over chars and ints would cost the JIT more than the work itself.
    private ModelExtensions(ImmutableArray<string> extensions)
    {
        this.extensions = extensions;
        longestExtension = extensions[0].Length;
        partialExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var lastCharacters = new char[extensions.Length];
        var allAscii = true;
        for (var index = 0; index < extensions.Length; index++)
        {
            var extension = extensions[index];
            lastCharacters[index] = extension[extension.Length - 1];
            allAscii &= lastCharacters[index] < 128;
            for (var start = 1; start < extension.Length; start++)
            {
                partialExtensions.Add(extension.Substring(start));
            }
        }

        asciiLastCharacters = allAscii ? new string(lastCharacters) : null;
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

        var chosen = (parsed.Count > 0 ? parsed : Defaults.ToList()).Distinct(StringComparer.Ordinal).ToList();
        chosen.Sort(LongestFirst);
        return new ModelExtensions(chosen.ToImmutableArray());
    }

    private static int LongestFirst(string left, string right) =>
        left.Length != right.Length ? right.Length.CompareTo(left.Length) : string.CompareOrdinal(left, right);

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

    /// <summary>
    /// Whether <paramref name="text"/> ends with a model extension, compared as <see cref="Match"/> compares; unlike
    /// it, the text may be the extension alone. A quick test on the syntax, not a judgement on a path.
    /// </summary>
    public bool EndsWithExtension(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        // Extensions are lower-case; an ASCII character equals an ASCII one without case only as its lower-case form.
        var last = text[text.Length - 1];
        if (asciiLastCharacters is not null && last < 128 && asciiLastCharacters.IndexOf(char.ToLowerInvariant(last)) < 0)
        {
            return false;
        }

        foreach (var extension in extensions)
        {
            if (text.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is the end of a model extension but not all of it ("tensors", "nx", "t"): a
    /// piece that completes an extension begun by the piece before it, as in <c>"model.safe" + "tensors"</c>.
    /// </summary>
    public bool IsPartialExtension(string text) =>
        text.Length > 0 && text.Length < longestExtension && partialExtensions.Contains(text);

    private static string Canonicalize(string entry)
    {
        var extension = entry.Trim().TrimStart('*').ToLowerInvariant();
        return extension.StartsWith(".", StringComparison.Ordinal) ? extension : "." + extension;
    }
}
