using GitTheta.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests;

/// <summary>GT0003: an absolute path to a model file in code.</summary>
public sealed class AbsoluteModelPathTests
{
    [Fact]
    public async Task Unix_absolute_path_is_reported_with_the_path()
    {
        const string source = """
            class C
            {
                string M() => {|#0:"/home/ana/models/classifier.safetensors"|};
            }
            """;

        await Verify.CodeAsync(
            source,
            new ModelProject(),
            new DiagnosticResult(ModelPathRules.AbsoluteModelPath).WithLocation(0).WithArguments("/home/ana/models/classifier.safetensors"));
    }

    [Theory]
    [InlineData(@"@""C:\models\encoder.onnx""")]
    [InlineData(@"""c:/models/encoder.onnx""")]
    [InlineData(@"@""\\server\share\encoder.onnx""")]
    [InlineData(@"@""\models\encoder.onnx""")]
    public async Task Windows_absolute_paths_are_reported_on_every_system(string literal)
    {
        var source = $$"""
            class C
            {
                string M() => {|GT0003:{{literal}}|};
            }
            """;

        await Verify.CodeAsync(source, new ModelProject());
    }

    [Fact]
    public async Task Absolute_path_to_a_declared_model_inside_the_project_is_still_absolute()
    {
        const string source = """
            class C
            {
                string M() => {|GT0003:"/app/models/classifier.safetensors"|};
            }
            """;

        await Verify.CodeAsync(source, new ModelProject().Declare("models/classifier.safetensors"));
    }

    [Fact]
    public async Task Path_Combine_of_constants_that_starts_at_a_root_is_reported_once()
    {
        const string source = """
            using System.IO;

            class C
            {
                const string Root = "/opt/models";

                string[] M() => new[]
                {
                    {|GT0003:Path.Combine(Root, "encoder.onnx")|},
                    {|GT0003:Root + "/decoder.onnx"|},
                };
            }
            """;

        await Verify.CodeAsync(source, new ModelProject());
    }

    [Fact]
    public async Task Rooted_argument_of_Path_Combine_after_a_run_time_folder_is_absolute()
    {
        const string source = """
            using System.IO;

            class C
            {
                string M(string folder) => Path.Combine(folder, {|GT0003:"/opt/models/encoder.onnx"|});
            }
            """;

        await Verify.CodeAsync(source, new ModelProject());
    }

    [Fact]
    public async Task Relative_paths_are_not_absolute()
    {
        const string source = """
            class C
            {
                string[] M(string root) => new[]
                {
                    "models/classifier.safetensors",
                    root + "/models/classifier.safetensors",
                    System.IO.Path.Join(root, "/models/classifier.safetensors"),
                };
            }
            """;

        await Verify.CodeAsync(source, new ModelProject().Declare("models/classifier.safetensors").WithSeverity("GT0004", "none"));
    }
}
