using GitTheta.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests;

/// <summary>GT0002: a model file under the project folder that no ThetaModel declares.</summary>
public sealed class UndeclaredModelFileTests
{
    private const string NoCode = "class C { }";

    private static DiagnosticResult UndeclaredFile(string projectPath) =>
        new DiagnosticResult(ModelPathRules.UndeclaredModelFile)
            .WithSpan(ModelProject.FullPath(projectPath), 1, 1, 1, 1)
            .WithArguments(projectPath);

    [Fact]
    public async Task Undeclared_candidate_is_reported_once_in_the_file_itself()
    {
        var project = new ModelProject()
            .Declare("models/classifier.safetensors")
            .Candidate("models/classifier.safetensors")
            .Candidate("scratch/experiment.pt");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(NoCode, project, UndeclaredFile("scratch/experiment.pt"));
    }

    [Fact]
    public async Task Each_undeclared_candidate_gets_its_own_diagnostic()
    {
        var project = new ModelProject()
            .Candidate("a.onnx")
            .Candidate("checkpoints/b.ckpt")
            .Candidate("checkpoints/c.gguf");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(
            NoCode,
            project,
            UndeclaredFile("a.onnx"),
            UndeclaredFile("checkpoints/b.ckpt"),
            UndeclaredFile("checkpoints/c.gguf"));
    }

    [Fact]
    public async Task Declared_model_files_are_not_reported()
    {
        var project = new ModelProject()
            .Declare("models/classifier.safetensors", declaredAs: @".\models\classifier.safetensors")
            .Declare("encoder.onnx")
            .Candidate("models/classifier.safetensors")
            .Candidate("encoder.onnx");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(NoCode, project);
    }

    [Fact]
    public async Task Declared_path_differing_only_in_case_declares_the_file_where_paths_ignore_case()
    {
        var project = new ModelProject()
            .CaseSensitive(false)
            .Declare("Models/Classifier.safetensors", declaredAs: "models/classifier.safetensors")
            .Candidate("models/classifier.safetensors");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(NoCode, project);
    }

    [Fact]
    public async Task File_with_the_same_name_in_another_folder_is_not_declared_by_it()
    {
        var project = new ModelProject()
            .Declare("models/classifier.safetensors")
            .Candidate("backup/classifier.safetensors");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(
            NoCode, project, UndeclaredFile("backup/classifier.safetensors"));
    }

    [Fact]
    public async Task Additional_files_the_sdk_did_not_mark_are_ignored()
    {
        var project = new ModelProject().Unmarked("other-tool/model.onnx");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(NoCode, project);
    }

    [Fact]
    public async Task Candidates_outside_the_configured_extensions_are_ignored()
    {
        var project = new ModelProject()
            .WithProperty("GitThetaModelExtensions", ".safetensors, .gguf")
            .Candidate("data/tokens.bin")
            .Candidate("llm/q4.gguf");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(NoCode, project, UndeclaredFile("llm/q4.gguf"));
    }
}
