using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GitTheta.Analyzers.Tests;

/// <summary>
/// The syntax-only first look that keeps the analyzer cheap: which expressions are worth binding. Everything the judge
/// could report must get through (the analyzer tests check that end to end); these pin that ordinary strings do not.
/// </summary>
public sealed class ModelPathSyntaxFilterTests
{
    private static readonly ModelPathSyntaxFilter Filter = new(ModelExtensions.Parse(null));

    private static bool MayNameModelFile(string expression) =>
        Filter.MayNameModelFile(SyntaxFactory.ParseExpression(expression, options: new CSharpParseOptions(LanguageVersion.Latest)));

    [Theory]
    [InlineData("\"models/a.pt\"")]
    [InlineData("@\"models\\a.PT\"")]
    [InlineData("\"\"\"models/a.onnx\"\"\"")]
    [InlineData("\".pt\"")]
    [InlineData("\"models/a.safe\" + \"tensors\"")]
    [InlineData("Stem + \"nx\"")]
    [InlineData("Stem + Extension")]
    [InlineData("Stem + \".onnx\" + (Release ? \"\" : \".debug\")")]
    [InlineData("Stem + \".onnx\" + null")]
    [InlineData("\"models/\" + nameof(onnx)")]
    [InlineData("$\"{Folder}/a.onnx\"")]
    [InlineData("$\"{Folder}{File}\"")]
    [InlineData("$\"models/{(Lib.Paths.Name)}\"")]
    [InlineData("Path.Combine(Folder, File)")]
    [InlineData("Combine(Folder, \"a.pt\")")]
    [InlineData("IOPath.Join(Folder, new[] { \"nested\", File })")]
    [InlineData("Path.Combine(path2: File, path1: Folder)")]
    [InlineData("Path.Combine(Folder, \"a.pt\", \"\")")]
    public void Possible_model_paths_get_through(string expression)
    {
        Assert.True(MayNameModelFile(expression));
    }

    [Theory]
    [InlineData("class C { string M(string name) => \"models/\" + name; }", false)]
    [InlineData("class C { string M(string[] names) => \"models/\" + names.Length; }", false)]
    [InlineData("class C { string M(System.IO.FileInfo file) => \"models/\" + file.Name; }", false)]
    [InlineData("class C { string M() { var name = Get(); return \"models/\" + name; } }", false)]
    [InlineData("class C { string M() { foreach (var name in All) { return $\"models/{name}\"; } return \"\"; } }", false)]
    [InlineData("class C { System.Func<string, string> F = name => \"models/\" + name; }", false)]
    [InlineData("class C { string P { set { _ = \"models/\" + value; } } }", false)]
    [InlineData("class C { string M() => \"models/\" + name; }", true)]
    [InlineData("class C { string M() { const string name = \"a.pt\"; return \"models/\" + name; } }", true)]
    [InlineData("class C { string M(string name) { System.Func<string> f = () => { const string name = \"a.pt\"; return \"models/\" + name; }; return f(); } }", true)]
    [InlineData("class C { void M(string name, string path = \"models/\" + name) { } }", true)]
    [InlineData("class C { [A(\"models/\" + name)] void M(string name) { } }", true)]
    [InlineData("class C(string name) { string M() => \"models/\" + name; }", true)]
    [InlineData("class C { string M(string x) { if (x is string name) { return \"models/\" + name; } return x; } }", true)]
    public void Parameters_and_locals_are_not_constants(string code, bool expected)
    {
        var root = SyntaxFactory.ParseCompilationUnit(code, options: new CSharpParseOptions(LanguageVersion.Latest));
        var composition = root.DescendantNodes()
            .First(node => node is BinaryExpressionSyntax or InterpolatedStringExpressionSyntax
                && node.ToString().TrimStart('$').StartsWith("\"models/", StringComparison.Ordinal));

        Assert.Equal(expected, Filter.MayNameModelFile(composition));
    }

    [Theory]
    [InlineData("\"models/readme.md\"")]
    [InlineData("\"many: \"")]
    [InlineData("\"a.pt.bak\"")]
    [InlineData("\"models/a.pt\"u8")]
    [InlineData("\"many: \" + n.ToString()")]
    [InlineData("Prefix + \"file.json\"")]
    [InlineData("i + 1")]
    [InlineData("\"a.p\" + 't'")]
    [InlineData("$\"item {x} of {Name}: \"")]
    [InlineData("$\"{count,5}.pt\"")]
    [InlineData("$\"{Stem:x}.pt\"")]
    [InlineData("$\"{GetFolder()}/a.pt\"")]
    [InlineData("string.Join(\", \", names)")]
    [InlineData("String.Join(\".\", Folder, \"pt\")")]
    [InlineData("System.String.Join(\"/\", Folder, File)")]
    [InlineData("list.Add(File)")]
    [InlineData("Path.Combine(GetFolder(), \"a.pt\")")]
    [InlineData("Path.Combine(root, \"config.json\")")]
    [InlineData("this.Folder + File")]
    public void Ordinary_strings_are_turned_away_without_binding(string expression)
    {
        Assert.False(MayNameModelFile(expression));
    }
}
