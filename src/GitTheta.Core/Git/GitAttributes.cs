using System.Text;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Git;

/// <summary>
/// Reads attributes through git itself (so every git pattern rule holds) and edits the root
/// .gitattributes by git-theta's rules: the last matching line wins, other attributes are kept,
/// and a path bound to another filter, diff or merge driver is refused.
/// </summary>
internal static class GitAttributes
{
    public const string FormatAttribute = "theta-format";
    public static readonly string[] DriverAttributes = { "filter", "diff", "merge" };

    /// <summary>The value of one attribute for a path, or null when it is unspecified or unset.</summary>
    public static string? Get(string workTree, string relativePath, string attribute)
    {
        var values = GetAll(workTree, new[] { relativePath }, attribute);
        return values.TryGetValue(relativePath, out var value) ? value : null;
    }

    /// <summary>Several attributes of one path in one git process; unspecified and unset ones are left out.</summary>
    public static Dictionary<string, string> GetMany(string workTree, string relativePath, params string[] attributes)
    {
        var arguments = new List<string> { "check-attr", "-z" };
        arguments.AddRange(attributes);
        arguments.Add("--");
        arguments.Add(relativePath);
        var run = GitCli.Run(workTree, arguments);
        run.ThrowIfFailed(arguments);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var parts = run.Text.Split('\0');
        for (var i = 0; i + 2 < parts.Length; i += 3)
        {
            if (parts[i + 2] is not ("unspecified" or "unset"))
            {
                result[parts[i + 1]] = parts[i + 2];
            }
        }

        return result;
    }

    /// <summary>Values of one attribute for many paths (one git process); unspecified and unset are left out.</summary>
    public static Dictionary<string, string> GetAll(string workTree, IReadOnlyCollection<string> relativePaths, string attribute)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (relativePaths.Count == 0)
        {
            return result;
        }

        var input = Encoding.UTF8.GetBytes(string.Join('\0', relativePaths) + "\0");
        var run = GitCli.Run(workTree, new[] { "check-attr", "-z", "--stdin", attribute }, input);
        run.ThrowIfFailed(new[] { "check-attr", attribute });
        var parts = run.Text.Split('\0');
        for (var i = 0; i + 2 < parts.Length; i += 3)
        {
            var value = parts[i + 2];
            if (value is not ("unspecified" or "unset"))
            {
                result[parts[i]] = value;
            }
        }

        return result;
    }

    /// <summary>Whether the path's filter, diff and merge drivers are all theta.</summary>
    public static bool IsTracked(string workTree, string relativePath) =>
        DriverAttributes.All(a => Get(workTree, relativePath, a) == "theta");

    /// <summary>Binds a path or pattern to the theta drivers; returns false when it already was.</summary>
    /// <param name="fromLfs">Take over drivers bound to git-lfs (<c>filter=lfs diff=lfs merge=lfs</c>) instead of refusing; other attributes are kept.</param>
    public static bool Track(string workTree, string pathOrPattern, string? format, bool fromLfs = false)
    {
        var file = Path.Combine(workTree, ".gitattributes");
        var lines = File.Exists(file) ? File.ReadAllText(file).Split('\n').ToList() : new List<string>();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var pattern = EscapePattern(pathOrPattern);
        var isPattern = pathOrPattern.IndexOfAny(new[] { '*', '?', '[' }) >= 0;
        var inherited = new List<string>();
        var current = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (isPattern)
        {
            var last = lines.LastOrDefault(l => ParsePattern(l) == pattern);
            if (last is not null)
            {
                foreach (var attribute in ParseAttributes(last))
                {
                    var (name, value) = SplitAttribute(attribute);
                    current[name] = value;
                    inherited.Add(attribute);
                }
            }
        }
        else
        {
            foreach (var attribute in DriverAttributes.Append(FormatAttribute))
            {
                current[attribute] = Get(workTree, pathOrPattern, attribute);
            }

            var last = lines.LastOrDefault(l => ParsePattern(l) == pattern);
            if (last is not null)
            {
                inherited.AddRange(ParseAttributes(last));
            }
        }

        foreach (var driver in DriverAttributes)
        {
            if (current.TryGetValue(driver, out var value) && value is not null && value != "theta" && value != "set" && !(fromLfs && value == LfsDriver))
            {
                throw new ThetaException(
                    DiagnosticIds.AttributeConflict,
                    value == LfsDriver
                        ? $"'{pathOrPattern}' is bound to git-lfs ({driver}=lfs) in .gitattributes; switch it to git-theta in one step with 'git theta track --from-lfs {pathOrPattern}' (other attributes are kept), then 'git add --renormalize {pathOrPattern}'."
                        : $"'{pathOrPattern}' is already bound to {driver}={value} in .gitattributes; git-theta will not override another {driver} driver. Remove that binding first.");
            }
        }

        var formatOk = format is null || (current.TryGetValue(FormatAttribute, out var f) && f == format);
        if (DriverAttributes.All(d => current.TryGetValue(d, out var v) && v == "theta") && formatOk && (isPattern || IsTracked(workTree, pathOrPattern)))
        {
            return false;
        }

        var attributes = new List<string>();
        foreach (var attribute in inherited)
        {
            var (name, _) = SplitAttribute(attribute);
            if (!DriverAttributes.Contains(name) && name != FormatAttribute)
            {
                attributes.Add(attribute);
            }
        }

        attributes.AddRange(DriverAttributes.Select(d => $"{d}=theta"));
        if (format is not null)
        {
            attributes.Add($"{FormatAttribute}={format}");
        }
        else if (current.TryGetValue(FormatAttribute, out var existingFormat) && existingFormat is not null)
        {
            attributes.Add($"{FormatAttribute}={existingFormat}");
        }

        var replaced = fromLfs && isPattern ? lines.FindLastIndex(l => ParsePattern(l) == pattern) : -1;
        if (replaced >= 0)
        {
            // The pattern's own lfs line becomes the theta line in place, so git lfs no longer lists the pattern.
            lines[replaced] = pattern + " " + string.Join(' ', attributes);
        }
        else
        {
            lines.Add(pattern + " " + string.Join(' ', attributes));
        }

        WriteAtomically(file, lines);
        return true;
    }

    /// <summary>The driver name git-lfs binds its files to.</summary>
    public const string LfsDriver = "lfs";

    /// <summary>Removes the theta drivers from a path or pattern; returns false when it was not tracked.</summary>
    public static bool Untrack(string workTree, string pathOrPattern)
    {
        var file = Path.Combine(workTree, ".gitattributes");
        if (!File.Exists(file))
        {
            return false;
        }

        var pattern = EscapePattern(pathOrPattern);
        var lines = File.ReadAllText(file).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var changed = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (ParsePattern(lines[i]) != pattern)
            {
                continue;
            }

            var attributes = ParseAttributes(lines[i]).ToList();
            var kept = attributes.Where(a => !IsThetaAttribute(a)).ToList();
            if (kept.Count == attributes.Count)
            {
                continue;
            }

            changed = true;
            lines[i] = kept.Count == 0 ? string.Empty : pattern + " " + string.Join(' ', kept);
        }

        lines.RemoveAll(l => l.Length == 0);
        var isPattern = pathOrPattern.IndexOfAny(new[] { '*', '?', '[' }) >= 0;
        if (changed)
        {
            WriteAtomically(file, lines);
        }

        if (!isPattern && IsTracked(workTree, pathOrPattern))
        {
            // A broader pattern still binds the path: unspecify the drivers for this path only.
            lines.Add(pattern + " !filter !diff !merge");
            WriteAtomically(file, lines);
            changed = true;
        }

        return changed;
    }

    private static bool IsThetaAttribute(string attribute)
    {
        var (name, value) = SplitAttribute(attribute);
        return (DriverAttributes.Contains(name) && value == "theta") || name.StartsWith("theta-", StringComparison.Ordinal);
    }

    private static (string Name, string? Value) SplitAttribute(string attribute)
    {
        var eq = attribute.IndexOf('=');
        return eq < 0 ? (attribute.TrimStart('-', '!'), null) : (attribute[..eq], attribute[(eq + 1)..]);
    }

    private static string? ParsePattern(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed.StartsWith('#'))
        {
            return null;
        }

        var space = trimmed.IndexOfAny(new[] { ' ', '\t' });
        return space < 0 ? trimmed : trimmed[..space];
    }

    private static IEnumerable<string> ParseAttributes(string line)
    {
        var trimmed = line.Trim();
        var space = trimmed.IndexOfAny(new[] { ' ', '\t' });
        return space < 0 ? Array.Empty<string>() : trimmed[(space + 1)..].Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
    }

    private static string EscapePattern(string path)
    {
        var normalized = path.Replace('\\', '/');
        if (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        return normalized.Replace(" ", "[[:space:]]");
    }

    private static void WriteAtomically(string file, List<string> lines)
    {
        var temp = file + ".theta-tmp";
        try
        {
            File.WriteAllText(temp, lines.Count == 0 ? string.Empty : string.Join('\n', lines) + "\n");
            File.Move(temp, file, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
