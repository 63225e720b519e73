using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GitTheta.Analyzers;

/// <summary>
/// GT0002: a model file under the project folder (a <c>ModelCandidate</c> additional file) that no <c>ThetaModel</c>
/// declares. Reported once per file, located in the file itself, without reading it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndeclaredModelFileAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(ModelPathRules.UndeclaredModelFile);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var settings = ProjectSettings.Read(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
        var catalog = ModelCatalog.Read(context.Options, settings);

        context.RegisterAdditionalFileAction(fileContext =>
        {
            var file = fileContext.AdditionalFile;
            var metadata = fileContext.Options.AnalyzerConfigOptionsProvider.GetOptions(file);
            if (ModelCatalog.KindOf(metadata) != AdditionalFileKinds.ModelCandidate
                || settings.Extensions.Match(ModelPath.FileNameOf(file.Path)) is null)
            {
                return;
            }

            var projectKey = settings.ToProjectKey(file.Path);
            if (catalog.FindByPath(projectKey) is not null)
            {
                return;
            }

            // The location names the file but no text in it: a checkpoint is binary and may be gigabytes.
            var location = Location.Create(file.Path, default(TextSpan), default(LinePositionSpan));
            fileContext.ReportDiagnostic(Diagnostic.Create(ModelPathRules.UndeclaredModelFile, location, projectKey));
        });
    }
}
