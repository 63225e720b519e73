using GitTheta.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests;

/// <summary>
/// Constant paths whose model extension is not spelled out in one literal: split across pieces, or reached only through
/// names of constants. The analyzer looks at the syntax first and asks the compiler about a string only when the syntax
/// says it may name a model file; these are the cases that check must not lose.
/// </summary>
public sealed class ComposedPathTests
{
    private static ModelProject ProjectWithClassifier() => new ModelProject().Declare("models/classifier.safetensors");

    private static DiagnosticResult Undeclared(int location, string path) =>
        new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(location).WithArguments(path);

    [Fact]
    public async Task Extension_split_across_literals_is_judged_on_the_whole_value()
    {
        const string source = """
            class C
            {
                string[] M() => new[]
                {
                    {|#0:"models/encoder.safe" + "tensors"|},
                    {|#1:"models/encoder." + "onnx"|},
                    {|#2:"models/encoder" + "." + "pt"|},
                    {|#3:"models/ENCODER.ON" + "NX"|},
                    {|#4:"models/encoder.onnx" + ""|},
                };
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "models/encoder.safetensors"),
            Undeclared(1, "models/encoder.onnx"),
            Undeclared(2, "models/encoder.pt"),
            Undeclared(3, "models/ENCODER.ONNX"),
            Undeclared(4, "models/encoder.onnx"));
    }

    [Fact]
    public async Task Split_extension_naming_a_declared_model_gets_GT0004_on_the_whole_expression()
    {
        const string source = """
            class C
            {
                string M() => {|#0:"models/classifier.safe" + "tensors"|};
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            new DiagnosticResult(ModelPathRules.UseGeneratedModelPath).WithLocation(0).WithArguments("models/classifier.safetensors", "Classifier"));
    }

    [Fact]
    public async Task Extension_completed_by_a_literal_after_a_constant_is_judged()
    {
        const string source = """
            class C
            {
                const string Stem = "models/encoder.on";

                string[] M() => new[] { {|#0:Stem + "nx"|}, {|#1:$"{Stem}nx"|} };
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "models/encoder.onnx"),
            Undeclared(1, "models/encoder.onnx"));
    }

    [Fact]
    public async Task Extension_held_by_a_constant_is_judged_where_it_is_appended()
    {
        const string source = """
            using System.IO;

            class C
            {
                const string Extension = ".onnx";
                const string BareExtension = "onnx";

                string[] M() => new[]
                {
                    {|#0:"models/encoder" + Extension|},
                    {|#1:$"models/decoder{Extension}"|},
                    {|#2:$"models/head.{BareExtension}"|},
                    {|#3:Path.Combine("models", "tail" + Extension)|},
                };
            }
            """;

        // ".onnx" and "onnx" alone name no file, so the constants themselves are not reported.
        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "models/encoder.onnx"),
            Undeclared(1, "models/decoder.onnx"),
            Undeclared(2, "models/head.onnx"),
            Undeclared(3, "models/tail.onnx"));
    }

    [Fact]
    public async Task Compositions_of_named_constants_alone_are_judged()
    {
        const string source = """
            using System.IO;

            class C
            {
                const string Folder = "models/";
                const string File = {|#0:"encoder.onnx"|};

                string[] M() => new[]
                {
                    {|#1:Folder + File|},
                    {|#2:Path.Combine(Folder, File)|},
                    {|#3:Path.Join(Folder, File)|},
                    {|#4:$"{Folder}{File}"|},
                    {|#5:(Folder) + (string)File|},
                };
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "encoder.onnx"),
            Undeclared(1, "models/encoder.onnx"),
            Undeclared(2, "models/encoder.onnx"),
            Undeclared(3, "models/encoder.onnx"),
            Undeclared(4, "models/encoder.onnx"),
            Undeclared(5, "models/encoder.onnx"));
    }

    [Fact]
    public async Task Constants_of_another_assembly_are_judged_where_this_code_composes_them()
    {
        const string library = """
            namespace Lib
            {
                public static class Paths
                {
                    public const string Folder = "models";
                    public const string Stem = "models/encoder";
                    public const string Extension = ".onnx";
                }
            }
            """;
        const string source = """
            using System.IO;
            using Lib;

            class C
            {
                string[] M() => new[]
                {
                    {|#0:Paths.Stem + Paths.Extension|},
                    {|#1:Path.Combine(Paths.Folder, "decoder" + Lib.Paths.Extension)|},
                    {|#2:$"{(global::Lib.Paths.Stem)}{Paths.Extension}"|},
                };
            }
            """;

        await Verify.CodeWithLibraryAsync(
            source,
            library,
            ProjectWithClassifier(),
            Undeclared(0, "models/encoder.onnx"),
            Undeclared(1, "models/decoder.onnx"),
            Undeclared(2, "models/encoder.onnx"));
    }

    [Fact]
    public async Task Path_methods_are_recognised_however_they_are_named()
    {
        const string source = """
            using static System.IO.Path;
            using IOPath = System.IO.Path;

            class C
            {
                const string Folder = "models";
                const string Stem = "encoder";

                string[] M() => new[]
                {
                    {|#0:Combine(Folder, Stem + ".onnx")|},
                    {|#1:IOPath.Join(Folder, "decoder.onnx")|},
                    {|#2:global::System.IO.Path.Combine(Folder, "head.onnx")|},
                    {|#3:IOPath.Combine(path2: Stem + ".pt", path1: Folder)|},
                    {|#4:IOPath.Combine(new[] { Folder, "nested", "tail.pt" })|},
                };
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "models/encoder.onnx"),
            Undeclared(1, "models/decoder.onnx"),
            Undeclared(2, "models/head.onnx"),
            Undeclared(3, "models/encoder.pt"),
            Undeclared(4, "models/nested/tail.pt"));
    }

    [Fact]
    public async Task Constant_conditional_nameof_and_null_pieces_are_followed()
    {
        const string source = """
            class onnx { }

            class C
            {
                const bool Release = true;
                const string Stem = "models/encoder";

                string[] M() => new[]
                {
                    {|#0:Stem + ".onnx" + (Release ? "" : ".debug")|},
                    {|#1:Stem + "." + nameof(onnx)|},
                    {|#2:Stem + (Release ? ".pt" : ".ckpt") + null|},
                };
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "models/encoder.onnx"),
            Undeclared(1, "models/encoder.onnx"),
            Undeclared(2, "models/encoder.pt"));
    }

    // The test markup reserves a double '$' (a caret position), so the raw string has one '$' and single braces.
    [Fact]
    public async Task Multi_line_raw_interpolated_string_with_constant_holes_is_a_path()
    {
        const string source = """"
            class C
            {
                const string Folder = "models";

                string M() => {|#0:$"""
                    {Folder}/encoder.onnx
                    """|};
            }
            """";

        await Verify.CodeAsync(source, ProjectWithClassifier(), Undeclared(0, "models/encoder.onnx"));
    }

    [Fact]
    public async Task String_Join_is_not_a_path_but_its_literal_pieces_are_judged()
    {
        const string source = """
            class C
            {
                const string Folder = "models";

                string[] M(string[] names) => new[]
                {
                    string.Join("/", new[] { Folder, {|#0:"encoder.onnx"|} }),
                    string.Join("/", names),
                    System.String.Join(".", Folder, "onnx"),
                };
            }
            """;

        await Verify.CodeAsync(source, ProjectWithClassifier(), Undeclared(0, "encoder.onnx"));
    }

    [Fact]
    public async Task Constants_that_shadow_or_share_a_name_with_variables_are_followed()
    {
        const string source = """
            class C
            {
                string[] M(string name)
                {
                    const string Local = "models/encoder";
                    System.Func<string> lambda = () =>
                    {
                        const string name = "models/lambda";
                        return {|#0:name + ".onnx"|};
                    };
                    switch (name.Length)
                    {
                        case 0:
                            const string First = "models/first";
                            return new[] { First };
                        default:
                            return new[] { {|#1:First + ".onnx"|} };
                    }
                }

                string[] N(string name) => new[] { {|#2:Local + ".onnx"|}, name + ".onnx", {|#3:C.name + ".pt"|} };

                const string name = "models/field";
                const string Local = "models/field-local";
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "models/lambda.onnx"),
            Undeclared(1, "models/first.onnx"),
            Undeclared(2, "models/field-local.onnx"),
            Undeclared(3, "models/field.pt"));
    }

    [Fact]
    public async Task Run_time_values_stop_the_composition()
    {
        const string source = """
            using System.IO;

            class C
            {
                static readonly string Folder = "models";
                const string Stem = "models/encoder";

                string[] M(string extension, int version) => new[]
                {
                    Folder + "/encoder.on" + "nx".ToString(),
                    Stem + extension,
                    $"{Stem}.{extension}",
                    Path.Combine(Folder, Stem + extension),
                    Stem + version + ".onnx",
                };
            }
            """;

        // Only the constant piece ".onnx" after a run-time value is judged alone, and an extension alone names no file.
        await Verify.CodeAsync(source, ProjectWithClassifier());
    }

    [Fact]
    public async Task Model_paths_in_attribute_arguments_are_judged()
    {
        const string source = """
            using System.ComponentModel;

            [assembly: System.Reflection.AssemblyMetadata("model", {|#0:"models/encoder.onnx"|})]

            class C
            {
                [Description({|#1:"models/decoder.onnx"|})]
                void M() { }
            }
            """;

        await Verify.CodeAsync(
            source,
            ProjectWithClassifier(),
            Undeclared(0, "models/encoder.onnx"),
            Undeclared(1, "models/decoder.onnx"));
    }
}
