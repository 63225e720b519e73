using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GitTheta.Analyzers;

/// <summary>
/// The cheap first look at a piece of code, on its syntax alone: could its value be a constant string that ends with a
/// model extension? Only when it could does the analyzer ask the compiler for the operation (which binds the member)
/// and let <see cref="ModelPathJudge"/> decide. The answer must be "yes" for everything the judge could report, so it
/// errs on the side of "yes": a name may be a constant with any value, and an extension may be split across pieces
/// (<c>"model.safe" + "tensors"</c>, <c>Stem + Extension</c>). It says "no" for the strings that make up most code:
/// literals that do not end with an extension, compositions that end with such a literal, compositions with a run-time
/// piece (a call, an indexer, a number, a parameter or local variable, see <see cref="LocalScope"/>), and
/// <c>string.Join</c>.
/// </summary>
internal sealed class ModelPathSyntaxFilter
{
    /// <summary>The syntax of every operation that the judge looks at: literals, '+', interpolations and invocations.</summary>
    public static readonly ImmutableArray<SyntaxKind> Kinds = ImmutableArray.Create(
        SyntaxKind.StringLiteralExpression,
        SyntaxKind.InterpolatedStringExpression,
        SyntaxKind.AddExpression,
        SyntaxKind.InvocationExpression);

    private readonly ModelExtensions extensions;

    public ModelPathSyntaxFilter(ModelExtensions extensions)
    {
        this.extensions = extensions;
    }

    [Flags]
    private enum Ending
    {
        /// <summary>The value cannot end a model path (or is not a constant at all).</summary>
        None = 0,

        /// <summary>The value may end with a model extension, or with the end of one that an earlier piece begins.</summary>
        MayEndModelPath = 1,

        /// <summary>The value may be empty, so the piece before it decides how the whole ends.</summary>
        MayBeEmpty = 2,
    }

    /// <summary>Whether the judge should look at <paramref name="node"/> (one of <see cref="Kinds"/>).</summary>
    public bool MayNameModelFile(SyntaxNode node)
    {
        switch (node)
        {
            case LiteralExpressionSyntax literal:
                // A literal on its own: its value is the whole path. (As the last piece of a composition it may also be
                // the end of a split extension; the composition's own node is let through for that.)
                return literal.IsKind(SyntaxKind.StringLiteralExpression) && extensions.EndsWithExtension(literal.Token.ValueText);
            case InterpolatedStringExpressionSyntax interpolated:
                return (EndingOf(interpolated) & Ending.MayEndModelPath) != 0 && IsPossiblyConstant(interpolated);
            case BinaryExpressionSyntax addition when addition.IsKind(SyntaxKind.AddExpression):
                return (EndingOf(addition) & Ending.MayEndModelPath) != 0 && IsPossiblyConstant(addition);
            case InvocationExpressionSyntax invocation:
                return IsPossiblyPathCombineOrJoin(invocation) && MayEndModelPath(invocation.ArgumentList);
            default:
                return false;
        }
    }

    /// <summary>
    /// Path.Combine or Path.Join by the name of the method, however the type is spelled (<c>Path.</c>, <c>System.IO.Path.</c>,
    /// an alias, <c>using static</c>); <c>string.Join</c> is left out, being by far the most common other Join.
    /// </summary>
    private static bool IsPossiblyPathCombineOrJoin(InvocationExpressionSyntax invocation)
    {
        switch (invocation.Expression)
        {
            case IdentifierNameSyntax name:
                return IsCombineOrJoin(name.Identifier.ValueText);
            case MemberAccessExpressionSyntax access when access.IsKind(SyntaxKind.SimpleMemberAccessExpression):
                return IsCombineOrJoin(access.Name.Identifier.ValueText) && !IsStringType(access.Expression);
            default:
                return false;
        }
    }

    private static bool IsCombineOrJoin(string name) => name == "Combine" || name == "Join";

    private static bool IsStringType(ExpressionSyntax type) =>
        type switch
        {
            PredefinedTypeSyntax predefined => predefined.Keyword.IsKind(SyntaxKind.StringKeyword),
            IdentifierNameSyntax name => name.Identifier.ValueText == "String",
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText == "String",
            _ => false,
        };

    /// <summary>
    /// The arguments of a possible Path.Combine/Join: all possibly constant, and the last one that is not empty may end a
    /// model path (the methods put a separator between the pieces, so the file name lies in that last piece).
    /// </summary>
    private bool MayEndModelPath(ArgumentListSyntax argumentList)
    {
        var arguments = argumentList.Arguments;
        if (arguments.Count == 0)
        {
            return false;
        }

        var pieces = new List<ExpressionSyntax>(arguments.Count);
        var named = false;
        foreach (var argument in arguments)
        {
            named |= argument.NameColon is not null;
            if (!argument.RefKindKeyword.IsKind(SyntaxKind.None))
            {
                return false;
            }

            if (ArrayElementsOf(argument.Expression) is { } elements)
            {
                pieces.AddRange(elements);
            }
            else
            {
                pieces.Add(argument.Expression);
            }
        }

        foreach (var piece in pieces)
        {
            if (!IsPossiblyConstant(piece))
            {
                return false;
            }
        }

        if (named)
        {
            // Named arguments may come in any order; any piece may be the last.
            return pieces.Any(piece => (EndingOf(piece) & Ending.MayEndModelPath) != 0);
        }

        for (var index = pieces.Count - 1; index >= 0; index--)
        {
            var ending = EndingOf(pieces[index]);
            if ((ending & Ending.MayEndModelPath) != 0)
            {
                return true;
            }

            if ((ending & Ending.MayBeEmpty) == 0)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>The elements of <c>new[] { ... }</c> or <c>new string[] { ... }</c> passed for a params array.</summary>
    private static SeparatedSyntaxList<ExpressionSyntax>? ArrayElementsOf(ExpressionSyntax expression) =>
        expression switch
        {
            ImplicitArrayCreationExpressionSyntax implicitArray => implicitArray.Initializer.Expressions,
            ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
            _ => null,
        };

    /// <summary>Strips what does not change a constant's value: parentheses, casts, checked/unchecked and the '!' suppression.</summary>
    private static ExpressionSyntax Unwrap(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    continue;
                case CastExpressionSyntax cast:
                    expression = cast.Expression;
                    continue;
                case CheckedExpressionSyntax checkedExpression:
                    expression = checkedExpression.Expression;
                    continue;
                case PostfixUnaryExpressionSyntax suppression when suppression.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                    expression = suppression.Operand;
                    continue;
                default:
                    return expression;
            }
        }
    }

    /// <summary>
    /// How the value of <paramref name="expression"/> may end, if it is a constant string. Looks at the last piece first
    /// and goes further left only while the pieces on the right may be empty.
    /// </summary>
    private Ending EndingOf(ExpressionSyntax expression)
    {
        switch (expression = Unwrap(expression))
        {
            case LiteralExpressionSyntax literal:
                return EndingOfLiteral(literal);
            case DefaultExpressionSyntax:
                return Ending.MayBeEmpty;
            case BinaryExpressionSyntax addition when addition.IsKind(SyntaxKind.AddExpression):
                return EndingOfAddition(addition);
            case InterpolatedStringExpressionSyntax interpolated:
                return EndingOf(interpolated);
            case ConditionalExpressionSyntax conditional:
                return EndingOf(conditional.WhenTrue) | EndingOf(conditional.WhenFalse);
            default:
                // A name (or nameof) may be a constant with any value; anything else is no constant at all.
                return IsPossiblyConstantName(expression) ? Ending.MayEndModelPath | Ending.MayBeEmpty : Ending.None;
        }
    }

    private Ending EndingOf(InterpolatedStringExpressionSyntax interpolated)
    {
        var contents = interpolated.Contents;
        var ending = Ending.MayBeEmpty;
        for (var index = contents.Count - 1; index >= 0 && (ending & Ending.MayBeEmpty) != 0; index--)
        {
            var piece = contents[index] switch
            {
                InterpolatedStringTextSyntax text => EndingOfText(text.TextToken.ValueText),
                InterpolationSyntax hole => EndingOf(hole.Expression),
                _ => Ending.None,
            };
            ending = (ending & Ending.MayEndModelPath) | piece;
        }

        return ending;
    }

    /// <summary>The ending of <c>left + right</c>: the right piece's, and the left piece's too where the right may be empty.</summary>
    private Ending EndingOfAddition(BinaryExpressionSyntax addition)
    {
        var right = EndingOf(addition.Right);
        return (right & Ending.MayBeEmpty) == 0 ? right : (right & Ending.MayEndModelPath) | EndingOf(addition.Left);
    }

    private Ending EndingOfLiteral(LiteralExpressionSyntax literal)
    {
        switch (literal.Kind())
        {
            case SyntaxKind.StringLiteralExpression:
                return EndingOfText(literal.Token.ValueText);
            case SyntaxKind.NullLiteralExpression:
            case SyntaxKind.DefaultLiteralExpression:
                return Ending.MayBeEmpty;
            default:
                return Ending.None;
        }
    }

    private Ending EndingOfText(string text)
    {
        if (text.Length == 0)
        {
            return Ending.MayBeEmpty;
        }

        return extensions.EndsWithExtension(text) || extensions.IsPartialExtension(text) ? Ending.MayEndModelPath : Ending.None;
    }

    /// <summary>
    /// Whether every piece of <paramref name="expression"/> could be a constant: string literals, null and default, names,
    /// nameof, and '+', interpolations (without alignment or format), conditionals, parentheses and casts of those.
    /// </summary>
    private static bool IsPossiblyConstant(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression = Unwrap(expression))
            {
                case LiteralExpressionSyntax literal:
                    return literal.Kind() is SyntaxKind.StringLiteralExpression
                        or SyntaxKind.NullLiteralExpression
                        or SyntaxKind.DefaultLiteralExpression;
                case DefaultExpressionSyntax:
                    return true;
                case BinaryExpressionSyntax addition when addition.IsKind(SyntaxKind.AddExpression):
                    if (!IsPossiblyConstant(addition.Right))
                    {
                        return false;
                    }

                    expression = addition.Left;
                    continue;
                case InterpolatedStringExpressionSyntax interpolated:
                    foreach (var content in interpolated.Contents)
                    {
                        if (content is InterpolationSyntax hole
                            && (hole.AlignmentClause is not null || hole.FormatClause is not null || !IsPossiblyConstant(hole.Expression)))
                        {
                            return false;
                        }
                    }

                    return true;
                case ConditionalExpressionSyntax conditional:
                    if (!IsPossiblyConstant(conditional.WhenTrue))
                    {
                        return false;
                    }

                    expression = conditional.WhenFalse;
                    continue;
                default:
                    return IsPossiblyConstantName(expression);
            }
        }
    }

    /// <summary>
    /// A name that may denote a constant (<c>Folder</c>, <c>Paths.Folder</c>, <c>global::Lib.Paths.Folder</c>), or nameof;
    /// not a parameter or local variable, nor a member reached through one (<c>file.Name</c>).
    /// </summary>
    private static bool IsPossiblyConstantName(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case IdentifierNameSyntax name:
                return !LocalScope.IsVariable(name);
            case AliasQualifiedNameSyntax:
            case QualifiedNameSyntax:
                return true;
            case MemberAccessExpressionSyntax access when access.IsKind(SyntaxKind.SimpleMemberAccessExpression):
                return IsTypeOrNamespaceName(access.Expression);
            case InvocationExpressionSyntax invocation:
                return invocation.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" };
            default:
                return false;
        }
    }

    /// <summary>
    /// What may stand left of the dot in a constant's name: a chain of names, perhaps generic, or a predefined type; not
    /// a chain that starts at a parameter or local variable.
    /// </summary>
    private static bool IsTypeOrNamespaceName(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case IdentifierNameSyntax name:
                    return !LocalScope.IsVariable(name);
                case GenericNameSyntax:
                case AliasQualifiedNameSyntax:
                case QualifiedNameSyntax:
                case PredefinedTypeSyntax:
                    return true;
                case MemberAccessExpressionSyntax access when access.IsKind(SyntaxKind.SimpleMemberAccessExpression):
                    expression = access.Expression;
                    continue;
                default:
                    return false;
            }
        }
    }
}
