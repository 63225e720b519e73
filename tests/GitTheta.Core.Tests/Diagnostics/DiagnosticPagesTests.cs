using System.Reflection;
using System.Text.RegularExpressions;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Tests.Diagnostics;

/// <summary>
/// Every code in <see cref="DiagnosticIds"/> is unique, follows its range, and has a page listed in the index; every
/// code src/ raises has a page; and what a page says raises its code is true of the source.
/// </summary>
public sealed class DiagnosticPagesTests
{
    private static readonly string Docs = Path.Combine(RepositoryRoot(), "docs", "diagnostics");

    public static TheoryData<string> Codes()
    {
        var data = new TheoryData<string>();
        foreach (var code in AllCodes())
        {
            data.Add(code);
        }

        return data;
    }

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        var codes = AllCodes();

        Assert.True(codes.Count >= 30, $"only {codes.Count} codes found by reflection");
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.Matches("^GT[012][0-9]{3}$", code));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Each_code_has_a_page_that_names_it_and_the_index_links_it(string code)
    {
        var page = Path.Combine(Docs, code + ".md");

        Assert.True(File.Exists(page), $"{code} has no page at docs/diagnostics/{code}.md");
        Assert.StartsWith("# " + code, File.ReadAllText(page), StringComparison.Ordinal);
        Assert.Contains($"]({code}.md)", File.ReadAllText(Path.Combine(Docs, "README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_code_raised_in_src_is_a_known_code_with_a_page()
    {
        var known = Fields().ToDictionary(f => f.Code, f => f.Name, StringComparer.Ordinal);
        var index = File.ReadAllText(Path.Combine(Docs, "README.md"));
        var problems = new List<string>();

        // Literal codes (MSBuild's Code="GT1010", a message built by hand) as well as the constants.
        foreach (var code in LiteralCodesInSrc().Concat(known.Keys.Where(c => Sources.FilesRaising(known[c], c).Count > 0)).Distinct(StringComparer.Ordinal))
        {
            if (!known.ContainsKey(code))
            {
                problems.Add($"{code} appears in src/ but is not a DiagnosticIds constant");
            }
            else if (!File.Exists(Path.Combine(Docs, code + ".md")) || !index.Contains($"]({code}.md)", StringComparison.Ordinal))
            {
                problems.Add($"{code} is raised in src/ but has no page listed in docs/diagnostics/README.md");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_page_says_whether_the_code_is_raised_and_its_Reported_by_row_is_true(string code)
    {
        var constant = Fields().Single(f => f.Code == code).Name;
        var page = DiagnosticPage.Read(Path.Combine(Docs, code + ".md"));
        var raisers = Sources.FilesRaising(constant, code);
        var problems = new List<string>();

        // Analyzer pages (GT0xxx) follow the analyzer release format, without a Constant row.
        if (!code.StartsWith("GT0", StringComparison.Ordinal) && page.ConstantName != constant)
        {
            problems.Add($"the Constant row should be `DiagnosticIds.{constant}`, is '{page.Constant}'");
        }

        var saysNotRaised = NotRaised.IsMatch(page.Title) || NotRaised.IsMatch(IndexRow(code));
        if (raisers.Count == 0 && !saysNotRaised)
        {
            problems.Add("nothing in src/ raises it, but neither the page's title nor the index says it is reserved / not raised");
        }
        else if (raisers.Count > 0 && saysNotRaised)
        {
            problems.Add($"the page or index says it is not raised, but {string.Join(", ", raisers)} raise it");
        }

        if (raisers.Count > 0)
        {
            if (page.ReportedBy is null)
            {
                problems.Add("no '| Reported by |' row");
            }
            else if (page.Reporters.Count == 0)
            {
                problems.Add($"the Reported by row names nothing in backticks that can be checked: '{page.ReportedBy}'");
            }

            problems.AddRange(page.Reporters.Select(r => CheckReporter(r, constant, code)).OfType<string>());
        }

        Assert.True(problems.Count == 0, $"docs/diagnostics/{code}.md:\n  " + string.Join("\n  ", problems));
    }

    private static readonly Regex NotRaised = new(@"\b(not raised|reserved)\b", RegexOptions.IgnoreCase);

    private static readonly Lazy<SourceIndex> SourcesLazy = new(() => SourceIndex.Load(RepositoryRoot()));

    private static SourceIndex Sources => SourcesLazy.Value;

    /// <summary>Why the reporter a page names does not raise the code, or null when it does.</summary>
    private static string? CheckReporter(string reporter, string constant, string code)
    {
        bool Raises(string file) => SourceIndex.Uses(Sources.Text(file), constant, code);

        if (reporter.Contains('/', StringComparison.Ordinal) && !reporter.Contains(' ', StringComparison.Ordinal))
        {
            var files = Sources.FilesUnder(reporter);
            return files.Count == 0 ? $"`{reporter}`: no such folder in src/"
                : files.Any(Raises) ? null : $"`{reporter}`: no file under it uses {constant}";
        }

        if (reporter.StartsWith('_'))
        {
            var files = Sources.FilesDeclaringTarget(reporter);
            return files.Count == 0 ? $"`{reporter}`: no such MSBuild target in src/"
                : files.Any(Raises) ? null : $"`{reporter}`: its file does not report {code}";
        }

        if (Regex.Match(reporter, @"^([A-Z]\w*)(?:\.(\w+))?$") is { Success: true } type)
        {
            var files = Sources.FilesDeclaring(type.Groups[1].Value);
            if (files.Count == 0)
            {
                return $"`{reporter}`: no type {type.Groups[1].Value} in src/";
            }

            var member = type.Groups[2].Success ? type.Groups[2].Value : null;
            if (member is not null && !files.Any(f => Regex.IsMatch(Sources.Text(f), $@"\b{member}\b")))
            {
                return $"`{reporter}`: {type.Groups[1].Value} has no member {member}";
            }

            return files.Any(Raises) ? null : $"`{reporter}`: {string.Join(", ", files)} does not use {constant}";
        }

        // A command: `install`, `pre-push`, `git theta gc`, `diff --stat`. It raises the code itself, or through the
        // reader or service it calls (a few calls deep).
        var verb = Regex.Replace(reporter, "^git[- ]theta ", string.Empty).Split(' ')[0];
        var command = Sources.CommandFile(verb);
        if (command is null)
        {
            return $"`{reporter}`: no command '{verb}' (src/GitTheta.Tool/Commands/)";
        }

        return Sources.Reaches(command, constant, code, depth: 3) ? null : $"`{reporter}`: {command} does not reach {constant} (within 3 calls)";
    }

    private static string IndexRow(string code) =>
        File.ReadAllLines(Path.Combine(Docs, "README.md")).FirstOrDefault(l => l.Contains($"]({code}.md)", StringComparison.Ordinal)) ?? string.Empty;

    private static IEnumerable<string> LiteralCodesInSrc() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".targets", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\"(GT[0-9]{4})\"").Select(m => m.Groups[1].Value));

    private static IEnumerable<(string Name, string Code)> Fields() => typeof(DiagnosticIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    private static List<string> AllCodes() => typeof(DiagnosticIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GitTheta.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"GitTheta.sln not found above {AppContext.BaseDirectory}");
    }
}
