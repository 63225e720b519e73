using System.Collections.Immutable;
using System.Composition;
using GitTheta.Core.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace GitTheta.Analyzers.Fixes;

/// <summary>GT0004: replaces a literal path to a declared model with <c>ThetaModels.&lt;Name&gt;.Path</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseGeneratedModelPathCodeFixProvider))]
[Shared]
public sealed class UseGeneratedModelPathCodeFixProvider : CodeFixProvider
{
    private const string GeneratedClassName = "ThetaModels";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.UseGeneratedModelPath);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticPropertyNames.ModelName, out var memberName)
                || memberName is null
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax literalPath)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Use {GeneratedClassName}.{memberName}.Path",
                    cancellationToken => ReplaceAsync(context.Document, literalPath, memberName, cancellationToken),
                    equivalenceKey: nameof(UseGeneratedModelPathCodeFixProvider)),
                diagnostic);
        }
    }

    private static async Task<Document> ReplaceAsync(
        Document document, ExpressionSyntax literalPath, string memberName, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return document;
        }

        // Fully qualified and then simplified, so the result binds whatever namespace the SDK generates the class in
        // and reads as plain ThetaModels.X.Path where a using or the enclosing namespace makes that enough.
        var replacement = SyntaxFactory.ParseExpression($"{QualifiedClassName(semanticModel.Compilation)}.{memberName}.Path")
            .WithTriviaFrom(literalPath)
            .WithAdditionalAnnotations(Simplifier.Annotation);

        return document.WithSyntaxRoot(root.ReplaceNode(literalPath, replacement));
    }

    private static string QualifiedClassName(Compilation compilation)
    {
        var generatedClass = compilation
            .GetSymbolsWithName(GeneratedClassName, SymbolFilter.Type)
            .OfType<INamedTypeSymbol>()
            .Where(type => type.ContainingType is null)
            .Select(type => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            .OrderBy(name => name, StringComparer.Ordinal)
            .FirstOrDefault();

        return generatedClass ?? GeneratedClassName;
    }
}
