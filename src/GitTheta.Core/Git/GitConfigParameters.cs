using System.Text;

namespace GitTheta.Core.Git;

/// <summary>
/// Reads GIT_CONFIG_PARAMETERS, where git hands 'git -c key=value' settings to the processes it starts:
/// a space-separated list of shell-single-quoted 'key'='value' (older gits: 'key=value') items.
/// </summary>
internal static class GitConfigParameters
{
    public static IReadOnlyDictionary<string, string> Parse(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return result;
        }

        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var key = ReadQuoted(text, ref i);
            string? value = null;
            if (i < text.Length && text[i] == '=')
            {
                i++;
                value = ReadQuoted(text, ref i);
            }
            else if (key is not null && key.IndexOf('=') is var eq and > 0)
            {
                value = key[(eq + 1)..];
                key = key[..eq];
            }

            if (key is null)
            {
                break;
            }

            // Section and key names are case-insensitive; the subsection keeps its case, which theta's keys never use.
            result[key.ToLowerInvariant()] = value ?? "true";
        }

        return result;
    }

    private static string? ReadQuoted(string text, ref int i)
    {
        if (i >= text.Length || text[i] != '\'')
        {
            return null;
        }

        var builder = new StringBuilder();
        i++;
        while (i < text.Length)
        {
            if (text[i] == '\'')
            {
                // sh quoting: '\'' is a literal quote between two quoted runs.
                if (i + 3 < text.Length && text[i + 1] == '\\' && text[i + 2] == '\'' && text[i + 3] == '\'')
                {
                    builder.Append('\'');
                    i += 4;
                    continue;
                }

                i++;
                return builder.ToString();
            }

            builder.Append(text[i]);
            i++;
        }

        return builder.ToString();
    }
}
