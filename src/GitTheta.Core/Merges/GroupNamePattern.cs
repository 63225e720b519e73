using System.Text;
using System.Text.RegularExpressions;

namespace GitTheta.Core.Merges;

/// <summary>
/// A glob over parameter group names, as in merge rules: <c>*</c> matches any run of characters (dots included, so
/// <c>*.bias</c> matches <c>encoder.layer.0.bias</c>), <c>?</c> one character, <c>[abc]</c>/<c>[!abc]</c> a class,
/// <c>\x</c> a literal x; a <c>[</c> without its <c>]</c> is literal. The whole name must match; case matters.
/// </summary>
internal sealed class GroupNamePattern
{
    private readonly Regex regex;

    /// <exception cref="ArgumentException">The glob has a character class that is not one (such as <c>[z-a]</c>).</exception>
    public GroupNamePattern(string glob)
    {
        Glob = glob;
        regex = new Regex(ToRegex(glob), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    public string Glob { get; }

    public bool Matches(string groupName) => regex.IsMatch(groupName);

    private static string ToRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    pattern.Append(".*");
                    break;
                case '?':
                    pattern.Append('.');
                    break;
                case '\\' when i + 1 < glob.Length:
                    pattern.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                case '[' when i + 2 < glob.Length && glob.IndexOf(']', i + 2) is var end and > 0:
                    var body = glob[(i + 1)..end];
                    var negated = body.Length > 0 && body[0] is '!' or '^';
                    pattern.Append('[').Append(negated ? "^" : string.Empty)
                        .Append((negated ? body[1..] : body).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal))
                        .Append(']');
                    i = end;
                    break;
                default:
                    pattern.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return pattern.Append('$').ToString();
    }
}
