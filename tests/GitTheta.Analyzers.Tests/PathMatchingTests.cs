using GitTheta.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests;

/// <summary>How a path in code is matched with a declared model: separators, "./", "..", case, spelling of the item.</summary>
public sealed class PathMatchingTests
{
    [Theory]
    [InlineData(@"""models\\classifier.safetensors""")]
    [InlineData(@"@""models\classifier.safetensors""")]
    [InlineData(@"""./models/classifier.safetensors""")]
    [InlineData(@"@"".\models\classifier.safetensors""")]
    [InlineData(@"""models//classifier.safetensors""")]
    [InlineData(@"""models/./classifier.safetensors""")]
    [InlineData(@"""other/../models/classifier.safetensors""")]
    public async Task Spellings_of_a_declared_path_match_it(string literal)
    {
        var source = $$"""
            class C
            {
                string M() => {|GT0004:{{literal}}|};
            }
            """;

        await Verify.CodeAsync(source, new ModelProject().Declare("models/classifier.safetensors"));
    }

    [Theory]
    [InlineData(@".\models\classifier.safetensors")]
    [InlineData("./models/classifier.safetensors")]
    [InlineData("models\\\\classifier.safetensors")]
    [InlineData("/app/models/classifier.safetensors")]
    public async Task Spellings_of_the_declared_item_match_the_plain_path_in_code(string declaredAs)
    {
        const string source = """
            class C
            {
                string M() => {|GT0004:"models/classifier.safetensors"|};
            }
            """;

        await Verify.CodeAsync(
            source, new ModelProject().Declare("models/classifier.safetensors", declaredAs: declaredAs));
    }

    [Fact]
    public async Task Item_without_a_declared_path_is_found_by_the_file_location()
    {
        const string source = """
            class C
            {
                string M() => {|GT0004:"models/classifier.safetensors"|};
            }
            """;

        var project = new ModelProject().Declare("models/classifier.safetensors", declaredAs: "");

        await Verify.CodeAsync(source, project);
    }

    [Fact]
    public async Task Case_differences_match_where_paths_ignore_case()
    {
        const string source = """
            class C
            {
                string[] M() => new[] { {|GT0004:"Models/Classifier.safetensors"|}, "CLASSIFIER.SAFETENSORS" };
            }
            """;

        await Verify.CodeAsync(
            source, new ModelProject().Declare("models/classifier.safetensors").CaseSensitive(false));
    }

    [Fact]
    public async Task Case_differences_do_not_match_where_paths_keep_case()
    {
        const string source = """
            class C
            {
                string[] M() => new[] { {|GT0001:"Models/Classifier.safetensors"|}, {|GT0001:"CLASSIFIER.SAFETENSORS"|} };
            }
            """;

        await Verify.CodeAsync(
            source, new ModelProject().Declare("models/classifier.safetensors").CaseSensitive(true));
    }

    [Fact]
    public async Task Without_a_setting_case_follows_the_operating_system_that_compiles()
    {
        const string source = """
            class C
            {
                string M() => {|#0:"Models/Classifier.safetensors"|};
            }
            """;

        var fileSystemIgnoresCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();
        var expected = fileSystemIgnoresCase
            ? new DiagnosticResult(ModelPathRules.UseGeneratedModelPath).WithLocation(0).WithArguments("Models/Classifier.safetensors", "Classifier")
            : new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(0).WithArguments("Models/Classifier.safetensors");

        await Verify.CodeAsync(source, new ModelProject().Declare("models/classifier.safetensors"), expected);
    }

    [Theory]
    [InlineData("build_property.ProjectDir", "/app/")]
    [InlineData("build_property.MSBuildProjectDirectory", "/app")]
    public async Task Either_project_folder_property_makes_absolute_items_project_relative(string property, string value)
    {
        const string source = """
            class C
            {
                string M() => {|GT0004:"models/classifier.safetensors"|};
            }
            """;

        var project = new ModelProject()
            .WithProperty("MSBuildProjectDirectory", null)
            .WithProperty(property.Substring("build_property.".Length), value)
            .Declare("models/classifier.safetensors", declaredAs: "/app/models/classifier.safetensors");

        await Verify.CodeAsync(source, project);
    }

    [Fact]
    public async Task Without_a_project_folder_relative_declarations_still_match()
    {
        const string source = """
            class C
            {
                string[] M() => new[] { {|GT0004:"models/classifier.safetensors"|}, {|GT0001:"models/encoder.onnx"|} };
            }
            """;

        var project = new ModelProject()
            .WithProperty("MSBuildProjectDirectory", null)
            .Declare("models/classifier.safetensors");

        await Verify.CodeAsync(source, project);
    }
}
