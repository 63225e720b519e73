using System.Reflection;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Tests.Diagnostics;

/// <summary>Every code in <see cref="DiagnosticIds"/> is unique, follows its range, and has a page listed in the index.</summary>
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
