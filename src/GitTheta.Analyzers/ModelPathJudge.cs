using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GitTheta.Analyzers;

/// <summary>Decides which of GT0001, GT0003 and GT0004, if any, a string in code deserves.</summary>
internal sealed class ModelPathJudge
{
    private static readonly char[] CharactersThatNoPathHas = { '\r', '\n', '\t', '\0', '*', '?', '<', '>', '"', '|' };

    private readonly ProjectSettings settings;
    private readonly ModelCatalog catalog;
    private readonly ConstantPathEvaluator evaluator;

    public ModelPathJudge(ProjectSettings settings, ModelCatalog catalog, ConstantPathEvaluator evaluator)
    {
        this.settings = settings;
        this.catalog = catalog;
        this.evaluator = evaluator;
    }

    public void Analyze(OperationAnalysisContext context)
    {
        var operation = context.Operation;
        var value = evaluator.Evaluate(operation);
        if (value is null || !NamesModelFile(value) || evaluator.IsPartOfLargerConstant(operation))
        {
            return;
        }

        var isTrailingFragment = evaluator.IsTrailingFragment(operation);
        var location = operation.Syntax.GetLocation();

        if (!isTrailingFragment && ModelPath.IsAbsolute(value))
        {
            context.ReportDiagnostic(Diagnostic.Create(ModelPathRules.AbsoluteModelPath, location, value));
            return;
        }

        var projectKey = settings.ToProjectKey(isTrailingFragment ? value.TrimStart('/', '\\') : value);
        var declared = catalog.FindByPath(projectKey);
        if (declared is not null)
        {
            // Replacing the piece in root + "/models/a.pt" would drop its separator, and a place that needs a constant
            // cannot hold the generated path, which is not one.
            var replacementKeepsMeaning = !(isTrailingFragment && ModelPath.IsSeparator(value[0]));
            if (replacementKeepsMeaning && !ConstantContext.Requires(operation.Syntax))
            {
                var properties = ImmutableDictionary<string, string?>.Empty
                    .Add(DiagnosticPropertyNames.ModelName, declared.MemberName);
                context.ReportDiagnostic(Diagnostic.Create(
                    ModelPathRules.UseGeneratedModelPath, location, properties, value, declared.MemberName));
            }

            return;
        }

        var isBareFileName = projectKey.IndexOf('/') < 0;
        if (isBareFileName && catalog.DeclaresFileName(projectKey))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(ModelPathRules.UndeclaredModelPath, location, value));
    }

    /// <summary>
    /// Whether the string looks like a path whose file has a model extension. Messages, globs ("*.pt") and URLs
    /// ("https://host/model.pt", which git-theta could not track anyway) are not paths to a file in the project.
    /// </summary>
    private bool NamesModelFile(string value) =>
        value.IndexOfAny(CharactersThatNoPathHas) < 0
        && value.IndexOf("://", StringComparison.Ordinal) < 0
        && settings.Extensions.Match(ModelPath.FileNameOf(value)) is not null;
}
