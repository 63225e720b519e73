using System.Text;
using System.Text.RegularExpressions;

namespace GitTheta.Core.Git;

/// <summary>
/// git-lfs's <c>lfs.fetchinclude</c> / <c>lfs.fetchexclude</c>: comma-separated path patterns that decide which files
/// a checkout downloads. A path is fetched when it matches an include (or there are none) and no exclude. Patterns
/// follow git-lfs: without a '/' they match a file or folder name at any depth; with one, from the root; '*' stays
/// within a name, '**' crosses folders; a pattern naming a folder covers everything under it.
/// </summary>
internal sealed class LfsFetchFilter
{
    private readonly IReadOnlyList<Regex> include;
    private readonly IReadOnlyList<Regex> exclude;

    private LfsFetchFilter(IReadOnlyList<Regex> include, IReadOnlyList<Regex> exclude)
    {
        this.include = include;
        this.exclude = exclude;
    }

    public static LfsFetchFilter Everything { get; } = new(Array.Empty<Regex>(), Array.Empty<Regex>());

    public bool IsEverything => include.Count == 0 && exclude.Count == 0;

    /// <summary>The repository's configured filter, from its config as git resolves it.</summary>
    public static LfsFetchFilter Load(Func<string, string?> config) =>
        From(config("lfs.fetchinclude"), config("lfs.fetchexclude"));

    public static LfsFetchFilter From(string? include, string? exclude) => new(Parse(include), Parse(exclude));

    public static LfsFetchFilter From(IEnumerable<string> include, IEnumerable<string> exclude) =>
        new(include.SelectMany(Split).Select(ToRegex).ToList(), exclude.SelectMany(Split).Select(ToRegex).ToList());

    /// <summary>Whether the objects of <paramref name="path"/> (relative to the work tree, '/' separators) are fetched.</summary>
    public bool Allows(string path)
    {
        var relative = path.Replace('\\', '/').TrimStart('/');
        return (include.Count == 0 || include.Any(r => r.IsMatch(relative))) && !exclude.Any(r => r.IsMatch(relative));
    }

    private static IReadOnlyList<Regex> Parse(string? list) => Split(list).Select(ToRegex).ToList();

    private static IEnumerable<string> Split(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Regex ToRegex(string pattern)
    {
        var trimmed = pattern.Replace('\\', '/').TrimEnd('/');
        var anchored = trimmed.Contains('/');
        trimmed = trimmed.TrimStart('/');
        var body = new StringBuilder();
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (c == '*' && i + 1 < trimmed.Length && trimmed[i + 1] == '*')
            {
                body.Append(".*");
                i++;
                if (i + 1 < trimmed.Length && trimmed[i + 1] == '/')
                {
                    i++;
                    body.Append("/?");
                }
            }
            else
            {
                body.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        // The pattern names a file or a folder: the path is it, or lies under it.
        return new Regex((anchored ? "^" : "(^|/)") + body + "(/|$)", RegexOptions.CultureInvariant);
    }
}
