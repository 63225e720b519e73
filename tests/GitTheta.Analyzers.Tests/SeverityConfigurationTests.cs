using GitTheta.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests;

/// <summary>Every rule's severity follows dotnet_diagnostic.GT000N.severity in .editorconfig or .globalconfig.</summary>
public sealed class SeverityConfigurationTests
{
    private const string Source = """
        class C
        {
            string[] M() => new[] { {|#0:"models/encoder.onnx"|}, {|#1:"/opt/x.pt"|}, {|#2:"models/classifier.safetensors"|} };
        }
        """;

    private static ModelProject Project() => new ModelProject().Declare("models/classifier.safetensors");

    // "error" is left out: the compiler turns an escalated warning into an error through IsWarningAsError and keeps its
    // Severity, which is all the test framework compares; the other levels show that the configuration reaches the rules.
    [Fact]
    public async Task Severities_can_be_changed()
    {
        var project = Project()
            .WithSeverity("GT0001", "suggestion")
            .WithSeverity("GT0003", "silent")
            .WithSeverity("GT0004", "warning");

        await Verify.CodeAsync(
            Source,
            project,
            new DiagnosticResult(ModelPathRules.UndeclaredModelPath).WithLocation(0).WithArguments("models/encoder.onnx").WithSeverity(DiagnosticSeverity.Info),
            new DiagnosticResult(ModelPathRules.AbsoluteModelPath).WithLocation(1).WithArguments("/opt/x.pt").WithSeverity(DiagnosticSeverity.Hidden),
            new DiagnosticResult(ModelPathRules.UseGeneratedModelPath).WithLocation(2).WithArguments("models/classifier.safetensors", "Classifier").WithSeverity(DiagnosticSeverity.Warning));
    }

    [Fact]
    public async Task Rules_can_be_turned_off()
    {
        var project = Project()
            .WithSeverity("GT0001", "none")
            .WithSeverity("GT0003", "none")
            .WithSeverity("GT0004", "none");

        await Verify.CodeAsync(Source, project);
    }

    [Fact]
    public async Task Undeclared_model_file_severity_can_be_changed()
    {
        var project = new ModelProject().Candidate("scratch.pt").WithSeverity("GT0002", "suggestion");

        await Verify.AnalyzerAsync<UndeclaredModelFileAnalyzer>(
            "class C { }",
            project,
            new DiagnosticResult(ModelPathRules.UndeclaredModelFile)
                .WithSpan(ModelProject.FullPath("scratch.pt"), 1, 1, 1, 1)
                .WithArguments("scratch.pt")
                .WithSeverity(DiagnosticSeverity.Info));
    }
}
