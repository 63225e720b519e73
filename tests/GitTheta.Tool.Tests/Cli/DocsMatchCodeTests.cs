using System.Reflection;
using System.Text.RegularExpressions;
using GitTheta.Core.Diagnostics;
using GitTheta.Tool.Tests.Infrastructure;

namespace GitTheta.Tool.Tests.Cli;

/// <summary>
/// docs/commands.md and the package metadata hold to the code: a section per command naming its options, the exit
/// code table equal to the ExitCode enum, no "not raised" for a code src/ raises, and one repository URL.
/// (Each code's own page is held to the source by GitTheta.Core.Tests' DiagnosticPagesTests.)
/// </summary>
public sealed partial class DocsMatchCodeTests : IDisposable
{
    private static readonly string Root = ToolCommands.RepositoryRoot();

    private readonly Sandbox sandbox = new();

    [Fact]
    public void Every_command_has_a_row_in_the_commands_table_and_a_section()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docs", "commands.md"));
        var problems = ToolCommands.Names
            .Where(name => !text.Contains($"[`{name}`](#{name})", StringComparison.Ordinal) || ToolCommands.DocsSection(name).Length == 0)
            .ToList();

        Assert.True(problems.Count == 0, "docs/commands.md lacks a table row or '## ' section for: " + string.Join(", ", problems));
    }

    /// <summary>Each command's section of docs/commands.md names the options the man page (rendered from the command tree) lists.</summary>
    [Theory]
    [MemberData(nameof(ToolCommands.All), MemberType = typeof(ToolCommands))]
    public void The_man_page_and_the_docs_section_of_each_command_agree(string name)
    {
        var section = ToolCommands.DocsSection(name);
        var groups = HelpTests.OptionGroups(sandbox.Theta(sandbox.Root, name, "-h").EnsureSuccess(name + " -h").Output).Where(g => !g.Contains("--help")).ToList();
        var options = groups.SelectMany(g => g).ToList();
        var synopsis = Regex.Match(section, "```\\n(git[ -]theta [^\\n]*(?:\\n[^`][^\\n]*)*)\\n```");
        var documented = synopsis.Success ? LongOption().Matches(synopsis.Groups[1].Value).Select(m => m.Value).Distinct().ToList() : new List<string>();

        Assert.False(section.Length == 0, $"docs/commands.md has no '## {name}' section");
        Assert.True(synopsis.Success, $"docs/commands.md '## {name}' has no synopsis block starting 'git theta {name}'");
        Assert.Matches($"git[ -]theta {Regex.Escape(name)}\\b", synopsis.Groups[1].Value);
        Assert.All(groups, g => Assert.True(g.Any(o => Regex.IsMatch(section, $@"(?<![\w-]){Regex.Escape(o)}(?![\w-])")), $"'## {name}' mentions none of {string.Join(", ", g)}"));
        Assert.All(documented, o => Assert.True(options.Contains(o), $"'## {name}' shows {o}, which 'git theta {name} -h' does not have"));
    }

    [Fact]
    public void The_exit_code_table_is_the_ExitCode_enum()
    {
        var source = File.ReadAllText(Path.Combine(Root, "src", "GitTheta.Tool", "Infrastructure", "ExitCode.cs"));
        var enumeration = EnumMember().Matches(source).Select(m => $"{m.Groups[2].Value} {m.Groups[1].Value}").ToList();
        var commands = File.ReadAllText(Path.Combine(Root, "docs", "commands.md"));
        var table = commands[commands.IndexOf("## Exit codes", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", table.IndexOf("| Code |", StringComparison.Ordinal), StringComparison.Ordinal)];
        var documented = TableRow().Matches(table).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToList();

        Assert.True(enumeration.Count >= 10, $"only {enumeration.Count} members parsed from ExitCode.cs");
        Assert.Equal(enumeration, documented);
    }

    [Fact]
    public void No_doc_says_a_raised_code_is_not_raised()
    {
        var raised = RaisedCodes();
        // The code a "not raised" is about is in the same clause: after the last '|', ';' or '(' before it.
        var problems = Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadAllLines(file).Select(line => (File: Path.GetRelativePath(Root, file), Line: line)))
            .SelectMany(l => NotRaised().Matches(l.Line).Select(m => (l.File, l.Line, Clause: l.Line[(l.Line[..m.Index].LastIndexOfAny(new[] { '|', ';', '(' }) + 1)..m.Index])))
            .SelectMany(l => Code().Matches(l.Clause).Select(m => m.Value).Where(raised.Contains).Distinct().Select(code => $"{l.File}: says {code} is not raised: {l.Line}"))
            .ToList();

        Assert.True(raised.Contains(DiagnosticIds.GitLfsMissing), "GT2012 should be found raised in src/");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void One_repository_url_in_the_package_metadata_the_help_and_the_help_links()
    {
        var props = File.ReadAllText(Path.Combine(Root, "Directory.Build.props"));
        var url = Regex.Match(props, "<GitThetaProjectUrl>([^<]+)</GitThetaProjectUrl>").Groups[1].Value;
        var metadata = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.*proj", SearchOption.AllDirectories).Append(Path.Combine(Root, "Directory.Build.props"))
            .SelectMany(f => PackageUrl().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(Root, f), Key: m.Groups[1].Value, Value: m.Groups[2].Value)))
            .ToList();
        var links = SourceFiles()
            .SelectMany(f => GitHubUrl().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(Root, f), Url: m.Value)))
            .Where(l => !ThirdParty.Contains(l.Url.Split('/')[3]))
            .ToList();
        var help = sandbox.Theta(sandbox.Root, "help").EnsureSuccess("help").Output;

        Assert.StartsWith("https://github.com/", url);
        Assert.Contains(metadata, m => m.Key == "PackageProjectUrl");
        Assert.Contains(metadata, m => m.Key == "RepositoryUrl");
        Assert.All(metadata, m => Assert.True(m.Value is "$(GitThetaProjectUrl)" || m.Value == url, $"{m.File}: {m.Key} is {m.Value}, not {url}"));
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.True(l.Url.StartsWith(url, StringComparison.Ordinal), $"{l.File} links {l.Url}, not under {url}"));
        Assert.Contains($"Reference: {url}/blob/main/docs/commands.md", help);
    }

    public void Dispose() => sandbox.Dispose();

    /// <summary>Owners of repositories the code links on purpose: the original git-theta, .NET's, git-lfs's.</summary>
    private static readonly HashSet<string> ThirdParty = new(StringComparer.OrdinalIgnoreCase) { "r-three", "dotnet", "git-lfs" };

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Where(f => Path.GetExtension(f) is ".cs" or ".props" or ".targets" or ".md" or ".csproj");

    /// <summary>Codes whose DiagnosticIds constant (or literal) appears in src/ outside DiagnosticIds.cs.</summary>
    private static HashSet<string> RaisedCodes()
    {
        var constants = typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);
        var raised = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles().Where(f => Path.GetFileName(f) != "DiagnosticIds.cs" && Path.GetExtension(f) != ".md"))
        {
            var text = File.ReadAllText(file);
            raised.UnionWith(constants.Where(c => Regex.IsMatch(text, $@"\bDiagnosticIds\.{c.Key}\b") || text.Contains($"\"{c.Value}\"", StringComparison.Ordinal)).Select(c => c.Value));
        }

        return raised;
    }

    [GeneratedRegex(@"^\s*(\w+) = (\d+),", RegexOptions.Multiline)]
    private static partial Regex EnumMember();

    [GeneratedRegex(@"^\| (\d+) \| `(\w+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"\bnot raised\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotRaised();

    [GeneratedRegex(@"GT\d{4}")]
    private static partial Regex Code();

    [GeneratedRegex(@"<(PackageProjectUrl|RepositoryUrl)>([^<]*)</")]
    private static partial Regex PackageUrl();

    [GeneratedRegex(@"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")]
    private static partial Regex GitHubUrl();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9-]*")]
    private static partial Regex LongOption();
}
