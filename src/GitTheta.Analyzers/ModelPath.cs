using System.Text;

namespace GitTheta.Analyzers;

/// <summary>
/// Path arithmetic on strings only. The analyzers must not touch the file system, and must give the same answer
/// for a Windows path on Linux and a Unix path on Windows, so System.IO.Path (whose rules follow the host) is not used.
/// </summary>
internal static class ModelPath
{
    private static readonly char[] Separators = { '/', '\\' };

    /// <summary>True for "/x", "\x", "\\server\share", "C:\x" and "C:x": paths that do not start from the project.</summary>
    public static bool IsAbsolute(string path)
    {
        if (path.Length == 0)
        {
            return false;
        }

        if (IsSeparator(path[0]))
        {
            return true;
        }

        return path.Length >= 2 && path[1] == ':' && IsAsciiLetter(path[0]);
    }

    public static bool IsSeparator(char character) => character == '/' || character == '\\';

    /// <summary>
    /// One spelling per path: '/' separators, no empty or "." segments, ".." folded where it can be,
    /// no trailing separator, upper-case drive letter. "./models\\a.pt" becomes "models/a.pt".
    /// </summary>
    public static string Normalize(string path)
    {
        var root = RootOf(path);
        var segments = new List<string>();
        foreach (var segment in path.Substring(root.Length).Split(Separators))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == ".." && segments.Count > 0 && segments[segments.Count - 1] != "..")
            {
                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            // ".." above a root stays at the root, as the file system resolves it.
            if (segment == ".." && root.Length > 0)
            {
                continue;
            }

            segments.Add(segment);
        }

        var normalizedRoot = NormalizeRoot(root);
        return normalizedRoot + string.Join("/", segments);
    }

    /// <summary>The part after the last separator.</summary>
    public static string FileNameOf(string path)
    {
        var lastSeparator = path.LastIndexOfAny(Separators);
        return path.Substring(lastSeparator + 1);
    }

    /// <summary>The path below <paramref name="directory"/>, both normalized; null when it is not below it.</summary>
    public static string? RelativeTo(string directory, string path, StringComparer comparer)
    {
        if (directory.Length == 0 || path.Length <= directory.Length + 1)
        {
            return null;
        }

        var directoryWithSeparator = directory.EndsWith("/", StringComparison.Ordinal) ? directory : directory + "/";
        var prefix = path.Substring(0, directoryWithSeparator.Length);
        return comparer.Equals(prefix, directoryWithSeparator) ? path.Substring(directoryWithSeparator.Length) : null;
    }

    private static string RootOf(string path)
    {
        if (path.Length >= 2 && path[1] == ':' && IsAsciiLetter(path[0]))
        {
            return path.Length >= 3 && IsSeparator(path[2]) ? path.Substring(0, 3) : path.Substring(0, 2);
        }

        if (path.Length >= 2 && IsSeparator(path[0]) && IsSeparator(path[1]))
        {
            return path.Substring(0, 2);
        }

        return path.Length >= 1 && IsSeparator(path[0]) ? path.Substring(0, 1) : string.Empty;
    }

    private static string NormalizeRoot(string root)
    {
        if (root.Length == 0)
        {
            return root;
        }

        var builder = new StringBuilder(root.Length);
        foreach (var character in root)
        {
            builder.Append(IsSeparator(character) ? '/' : char.ToUpperInvariant(character));
        }

        return builder.ToString();
    }

    private static bool IsAsciiLetter(char character) =>
        (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z');
}
