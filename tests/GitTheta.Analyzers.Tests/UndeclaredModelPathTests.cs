using GitTheta.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests;

/// <summary>GT0001: a string in code names a model file that no ThetaModel declares.</summary>
public sealed class UndeclaredModelPathTests
{
    private static ModelProject ProjectWithClassifier() => new ModelProject().Declare("models/classifier.safetensors");

    [Fact]
    public async Task Literal_path_to_an_undeclared_model_is_reported_with_the_path()
    {
        const string source = """
            class C
            {
                void M() => System.IO.File.OpenRead({|#0:"models/encoder.onnx"|});
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(0).WithArguments("models/encoder.onnx"));
    }

    [Fact]
    public async Task Literal_path_to_a_declared_model_is_not_reported_as_undeclared()
    {
        const string source = """
            class C
            {
                void M() => System.IO.File.OpenRead({|GT0004:"models/classifier.safetensors"|});
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Strings_without_a_model_extension_are_not_paths_to_models()
    {
        const string source = """
            class C
            {
                string[] M() => new[] { "models/readme.md", "config.json", "classifier.safetensors.sha256", "", "pt" };
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Configured_extensions_replace_the_defaults()
    {
        const string source = """
            class C
            {
                string[] M() => new[] { "data/tokens.bin", "weights.pt", {|GT0001:"llm/q4.GGUF"|} };
            }
            """;

        var project = ProjectWithClassifier().WithProperty("GitThetaModelExtensions", "safetensors, *.gguf");

        await Verify.CodeAsync(source, project);
    }

    [Fact]
    public async Task Verbatim_and_raw_string_literals_are_paths_like_any_other()
    {
        const string source = """"
            class C
            {
                string[] M() => new[]
                {
                    {|GT0001:@"models\encoder.onnx"|},
                    {|GT0001:"""models/decoder.onnx"""|},
                    {|GT0001:"""
                        models/lora.pt
                        """|},
                };
            }
            """";

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Model_extensions_match_without_case()
    {
        const string source = """
            class C
            {
                string M() => {|GT0001:"weights/LAYER.PT"|};
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Const_field_is_reported_once_at_its_value_not_at_every_use()
    {
        const string source = """
            class C
            {
                const string Encoder = {|GT0001:"models/encoder.onnx"|};

                void M()
                {
                    System.IO.File.OpenRead(Encoder);
                    System.IO.File.Exists(Encoder);
                }
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Concatenation_of_constants_is_judged_as_one_path()
    {
        const string source = """
            class C
            {
                const string Folder = "models/";
                const string Classifier = Folder + "classifier.safetensors";

                string[] M() => new[]
                {
                    {|#0:Folder + "encoder" + ".onnx"|},
                    Classifier,
                };
            }
            """;

        // Classifier's constant value is a declared model inside a const field: no diagnostic at all (GT0004's fix cannot
        // put a non-constant there), and the three pieces of the other path give one diagnostic, not three.
        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(0).WithArguments("models/encoder.onnx"));
    }

    [Fact]
    public async Task Path_Combine_of_constants_is_judged_as_one_path()
    {
        const string source = """
            using System.IO;

            class C
            {
                const string Folder = "models";

                string[] M() => new[]
                {
                    {|#0:Path.Combine(Folder, "encoder.onnx")|},
                    {|#1:Path.Combine("models", "nested", "deeper", "head.pt")|},
                    {|#2:Path.Join("models", "decoder.onnx")|},
                };
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(0).WithArguments("models/encoder.onnx"),
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(1).WithArguments("models/nested/deeper/head.pt"),
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(2).WithArguments("models/decoder.onnx"));
    }

    [Fact]
    public async Task Path_Combine_with_a_run_time_folder_judges_the_constant_part()
    {
        const string source = """
            using System;
            using System.IO;

            class C
            {
                string[] M() => new[]
                {
                    Path.Combine(AppContext.BaseDirectory, {|GT0001:"models/encoder.onnx"|}),
                    Path.Combine(AppContext.BaseDirectory, {|GT0004:"models/classifier.safetensors"|}),
                };
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Interpolated_string_without_holes_is_a_path()
    {
        const string source = """
            class C
            {
                string M() => {|GT0001:$"models/encoder.onnx"|};
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Interpolated_string_with_a_run_time_hole_is_not_judged()
    {
        const string source = """
            class C
            {
                string M(string folder, string name) => $"{folder}/encoder.onnx" + $"models/{name}.onnx";
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Interpolated_string_with_a_run_time_hole_is_not_judged_when_it_builds_a_handler()
    {
        const string source = """
            class C
            {
                void M(System.Text.StringBuilder log, string folder) => log.Append($"{folder}/encoder.onnx");
            }
            """;

        // StringBuilder.Append takes an interpolated string handler: the compiler splits the string into calls, but its
        // text "/encoder.onnx" is still the tail of a run-time path, not an absolute path of its own.
        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Default_parameter_value_is_reported_at_the_parameter_not_at_calls_that_use_it()
    {
        const string source = """
            class C
            {
                void Load(string path = {|#0:"models/encoder.onnx"|}) { }

                void Use(string path = "models/classifier.safetensors") { }

                void M()
                {
                    var load = (string path = {|#1:"models/decoder.onnx"|}) => { };
                    Load();
                    Use();
                    load();
                }
            }
            """;

        // Like a constant, a default value is judged once, where it is written. (The calls' implicit arguments carry it
        // too, but there is nothing at a call to fix, and GT0004's fix would replace the call.)
        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(0).WithArguments("models/encoder.onnx"),
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(1).WithArguments("models/decoder.onnx"));
    }

    [Fact]
    public async Task Trailing_piece_of_a_run_time_concatenation_is_judged_as_relative()
    {
        const string source = """
            class C
            {
                string[] M(string root) => new[]
                {
                    root + "/models/classifier.safetensors",
                    root + {|GT0001:"/models/encoder.onnx"|},
                };
            }
            """;

        // "/models/classifier.safetensors" after a run-time root is the declared model, not an absolute path (GT0003),
        // and not offered GT0004 because the fix would drop its leading separator.
        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Bare_file_name_of_a_declared_model_is_not_reported()
    {
        const string source = """
            class C
            {
                string[] M() => new[] { "classifier.safetensors", {|GT0001:"encoder.onnx"|} };
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Same_file_name_in_another_folder_is_a_different_model()
    {
        const string source = """
            class C
            {
                string M() => {|GT0001:"backup/classifier.safetensors"|};
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Globs_urls_and_messages_are_not_model_paths()
    {
        const string source = """
            class C
            {
                string[] M() => new[]
                {
                    "*.safetensors",
                    "models/?.pt",
                    "https://huggingface.co/org/model/resolve/main/model.safetensors",
                    "loaded\nmodel.pt",
                    ".safetensors",
                };
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Utf8_string_literals_have_no_string_value_and_are_not_judged()
    {
        const string source = """
            class C
            {
                System.ReadOnlySpan<byte> M() => "models/encoder.onnx"u8;
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Generated_code_is_not_analyzed()
    {
        const string source = """
            // <auto-generated/>
            class C
            {
                string M() => "models/encoder.onnx";
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task With_no_declared_models_every_model_path_is_reported()
    {
        const string source = """
            class C
            {
                string M() => {|GT0001:"classifier.safetensors"|};
            }
            """;

        await Verify.CodeAsync(source, new ModelProject());
    }
}
