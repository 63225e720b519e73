using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GitTheta.Analyzers;

/// <summary>Decides which of GT0001, GT0003 and GT0004, if any, a string in code deserves.</summary>
internal sealed class ModelPathJudge
{
    private readonly ProjectSettings settings;
    private readonly ModelCatalog catalog;
    private readonly ConstantPathEvaluator evaluator;
    private readonly ModelPathSyntaxFilter filter;

    public ModelPathJudge(ProjectSettings settings, ModelCatalog catalog, ConstantPathEvaluator evaluator)
    {
        this.settings = settings;
        this.catalog = catalog;
        this.evaluator = evaluator;
        filter = new ModelPathSyntaxFilter(settings.Extensions);
    }

    /// <summary>
    /// A node of one of <see cref="ModelPathSyntaxFilter.Kinds"/>. Most are turned away on their syntax; the rest are
    /// judged on their operation, which the compiler binds only for them.
    /// </summary>
    public void Analyze(SyntaxNodeAnalysisContext context)
    {
        if (!filter.MayNameModelFile(context.Node))
        {
            return;
        }

        var operation = context.SemanticModel.GetOperation(context.Node, context.CancellationToken);
        if (operation is not null)
        {
            Judge(operation, context.ReportDiagnostic);
        }
    }

    /// <summary>Reports what a literal, '+', interpolated string or invocation deserves, if anything.</summary>
    private void Judge(IOperation operation, Action<Diagnostic> report)
    {
        var value = evaluator.Evaluate(operation);
        if (value is null || !NamesModelFile(value) || evaluator.IsPartOfLargerConstant(operation))
        {
            return;
        }

        var isTrailingFragment = evaluator.IsTrailingFragment(operation);
        var location = operation.Syntax.GetLocation();

        if (!isTrailingFragment && ModelPath.IsAbsolute(value))
        {
            report(Diagnostic.Create(ModelPathRules.AbsoluteModelPath, location, value));
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
                report(Diagnostic.Create(
                    ModelPathRules.UseGeneratedModelPath, location, properties, value, declared.MemberName));
            }

            return;
        }

        var isBareFileName = projectKey.IndexOf('/') < 0;
        if (isBareFileName && catalog.DeclaresFileName(projectKey))
        {
            return;
        }

        report(Diagnostic.Create(ModelPathRules.UndeclaredModelPath, location, value));
    }

    /// <summary>
    /// Whether the string looks like a path whose file has a model extension. Messages, globs ("*.pt") and URLs
    /// ("https://host/model.pt", which git-theta could not track anyway) are not paths to a file in the project.
    /// </summary>
    private bool NamesModelFile(string value) =>
        !HasCharacterThatNoPathHas(value)
        && value.IndexOf("://", StringComparison.Ordinal) < 0
        && settings.Extensions.Match(ModelPath.FileNameOf(value)) is not null;

    // A loop rather than IndexOfAny: its vectorised search is compiled at run time, in every build, for a few strings.
    private static bool HasCharacterThatNoPathHas(string value)
    {
        foreach (var character in value)
        {
            switch (character)
            {
                case '\r':
                case '\n':
                case '\t':
                case '\0':
                case '*':
                case '?':
                case '<':
                case '>':
                case '"':
                case '|':
                    return true;
            }
        }

        return false;
    }
}
