using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GitTheta.Analyzers;

/// <summary>Places where C# demands a compile-time constant, which the generated ThetaModels path is not.</summary>
internal static class ConstantContext
{
    public static bool Requires(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case AttributeArgumentSyntax:
                case ParameterSyntax:
                case CaseSwitchLabelSyntax:
                case ConstantPatternSyntax:
                    return true;
                case LocalDeclarationStatementSyntax local:
                    return local.IsConst;
                case FieldDeclarationSyntax field:
                    return field.Modifiers.Any(SyntaxKind.ConstKeyword);
                case MemberDeclarationSyntax:
                case StatementSyntax:
                    return false;
            }
        }

        return false;
    }
}
