using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GitTheta.Analyzers;

/// <summary>
/// Whether a simple name in code certainly denotes a parameter or a local variable, seen from the syntax alone. Such a
/// name has no constant value, so <c>"models/" + name</c> need not be bound to be turned away. Only declarations that are
/// certainly in scope count (parameters of the enclosing functions, locals declared directly in an enclosing block,
/// loop, using or catch variables); anything else (a field, a constant, a pattern variable, a name in an attribute or
/// a default value) is "not certainly a variable", and the expression is bound and judged as usual.
/// </summary>
internal static class LocalScope
{
    public static bool IsVariable(IdentifierNameSyntax name)
    {
        var identifier = name.Identifier.ValueText;
        SyntaxNode child = name;
        for (var node = name.Parent; node is not null; child = node, node = node.Parent)
        {
            switch (node)
            {
                case BlockSyntax block:
                    if (FindLocal(block.Statements, identifier) is { } blockLocalIsVariable)
                    {
                        return blockLocalIsVariable;
                    }

                    break;
                case SwitchStatementSyntax switchStatement:
                    // A local declared in one section is in scope in all of them.
                    foreach (var section in switchStatement.Sections)
                    {
                        if (FindLocal(section.Statements, identifier) is { } sectionLocalIsVariable)
                        {
                            return sectionLocalIsVariable;
                        }
                    }

                    break;
                case ForEachStatementSyntax forEach when child != forEach.Expression:
                    if (forEach.Identifier.ValueText == identifier)
                    {
                        return true;
                    }

                    break;
                case ForStatementSyntax forStatement:
                    if (Declares(forStatement.Declaration, identifier))
                    {
                        return true;
                    }

                    break;
                case UsingStatementSyntax usingStatement:
                    if (Declares(usingStatement.Declaration, identifier))
                    {
                        return true;
                    }

                    break;
                case CatchClauseSyntax catchClause:
                    if (catchClause.Declaration?.Identifier.ValueText == identifier)
                    {
                        return true;
                    }

                    break;
                case SimpleLambdaExpressionSyntax lambda:
                    if (lambda.Parameter.Identifier.ValueText == identifier)
                    {
                        return true;
                    }

                    break;
                case ParenthesizedLambdaExpressionSyntax lambda:
                    if (Declares(lambda.ParameterList, identifier))
                    {
                        return true;
                    }

                    break;
                case AnonymousMethodExpressionSyntax anonymousMethod:
                    if (Declares(anonymousMethod.ParameterList, identifier))
                    {
                        return true;
                    }

                    break;
                case LocalFunctionStatementSyntax localFunction:
                    if (Declares(localFunction.ParameterList, identifier))
                    {
                        return true;
                    }

                    break;
                case AccessorDeclarationSyntax accessor:
                    if (identifier == "value" && !accessor.IsKind(SyntaxKind.GetAccessorDeclaration))
                    {
                        return true;
                    }

                    break;
                case AttributeSyntax:
                case ParameterSyntax:
                    // Attribute arguments and default values see the enclosing scope, not the parameters next to them.
                    return false;
                case BaseMethodDeclarationSyntax method:
                    return Declares(method.ParameterList, identifier);
                case IndexerDeclarationSyntax indexer:
                    return Declares(indexer.ParameterList, identifier);
                case MemberDeclarationSyntax:
                case CompilationUnitSyntax:
                    return false;
            }
        }

        return false;
    }

    /// <summary>True for a variable, false for a constant, null when <paramref name="statements"/> declare neither.</summary>
    private static bool? FindLocal(SyntaxList<StatementSyntax> statements, string identifier)
    {
        foreach (var labeledOrNot in statements)
        {
            var statement = labeledOrNot;
            while (statement is LabeledStatementSyntax labeled)
            {
                statement = labeled.Statement;
            }

            switch (statement)
            {
                case LocalDeclarationStatementSyntax local when Declares(local.Declaration, identifier):
                    return !local.IsConst;
                case LocalFunctionStatementSyntax function when function.Identifier.ValueText == identifier:
                    return true;
            }
        }

        return null;
    }

    private static bool Declares(VariableDeclarationSyntax? declaration, string identifier)
    {
        if (declaration is null)
        {
            return false;
        }

        foreach (var variable in declaration.Variables)
        {
            if (variable.Identifier.ValueText == identifier)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Declares(BaseParameterListSyntax? parameters, string identifier)
    {
        if (parameters is null)
        {
            return false;
        }

        foreach (var parameter in parameters.Parameters)
        {
            if (parameter.Identifier.ValueText == identifier)
            {
                return true;
            }
        }

        return false;
    }
}
