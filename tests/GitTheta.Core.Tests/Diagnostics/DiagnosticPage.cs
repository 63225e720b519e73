using System.Text.RegularExpressions;

namespace GitTheta.Core.Tests.Diagnostics;

/// <summary>
/// One docs/diagnostics/GTxxxx.md page: its title and the rows of its summary table that the code can be checked
/// against (<c>| Constant | `DiagnosticIds.X` |</c>, <c>| Reported by | … |</c>).
/// </summary>
internal sealed record DiagnosticPage(string Code, string Title, string? Constant, string? ReportedBy)
{
    public static DiagnosticPage Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var code = Path.GetFileNameWithoutExtension(path);
        var title = lines.Length > 0 ? lines[0] : string.Empty;
        return new DiagnosticPage(code, title, Row(lines, "Constant"), Row(lines, "Reported by"));
    }

    /// <summary>The constant's name, from <c>`DiagnosticIds.X`</c>.</summary>
    public string? ConstantName => Constant is null ? null : Regex.Match(Constant, @"`DiagnosticIds\.(\w+)`") is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>What the "Reported by" row names in backticks: types, Type.Member, folders, MSBuild targets, commands.</summary>
    public IReadOnlyList<string> Reporters => ReportedBy is null
        ? Array.Empty<string>()
        : Regex.Matches(ReportedBy, "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();

    private static string? Row(string[] lines, string name)
    {
        var prefix = $"| {name} |";
        var line = lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line?[prefix.Length..].TrimEnd().TrimEnd('|').Trim();
    }
}
