using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GitTheta.Analyzers;

/// <summary>
/// GT0001, GT0003 and GT0004: strings in code that name a model file. Each constant path is judged once, at the
/// outermost expression that still has a constant value, so <c>Dir + "a.pt"</c> gives one diagnostic, not three.
/// <see cref="ModelPathSyntaxFilter"/> picks, on the syntax alone, the few strings worth asking the compiler about.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelPathInCodeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        ModelPathRules.UndeclaredModelPath,
        ModelPathRules.AbsoluteModelPath,
        ModelPathRules.UseGeneratedModelPath);

    public override void Initialize(AnalysisContext context)
    {
        // The generated ThetaModels class spells every declared path as a literal; it must not be reported.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var settings = ProjectSettings.Read(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
        var catalog = ModelCatalog.Read(context.Options, settings);
        var judge = new ModelPathJudge(settings, catalog, new ConstantPathEvaluator());

        // Syntax first, operations only where the syntax may name a model file: an operation action on every literal,
        // '+', interpolation and invocation made the compiler build the operation tree of every member in the project.
        context.RegisterSyntaxNodeAction(judge.Analyze, ModelPathSyntaxFilter.Kinds);
    }
}
