using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GitTheta.Analyzers;

/// <summary>
/// Finds the string a piece of code certainly evaluates to: a literal (regular, verbatim or raw), a constant,
/// a '+' of constants, an interpolated string whose holes are all constants, or <c>Path.Combine</c> /
/// <c>Path.Join</c> of constants. Anything that depends on a run-time value has no constant value.
/// </summary>
internal sealed class ConstantPathEvaluator
{
    public string? Evaluate(IOperation operation)
    {
        switch (operation)
        {
            case ILiteralOperation:
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add }:
            case IInterpolatedStringOperation:
                return StringConstantOf(operation);
            case IInvocationOperation invocation when IsPathCombine(invocation):
                return Combine(invocation, restartAtRootedPart: true);
            case IInvocationOperation invocation when IsPathJoin(invocation):
                return Combine(invocation, restartAtRootedPart: false);
            default:
                return null;
        }
    }

    /// <summary>
    /// True when the operation is only a piece of a larger constant path (a part of a constant '+', a hole or the text
    /// of an interpolated string, an argument of a constant Path.Combine): the larger expression is the one reported.
    /// </summary>
    public bool IsPartOfLargerConstant(IOperation operation)
    {
        var container = ContainerOf(operation);
        if (container is IInterpolatedStringTextOperation)
        {
            return true;
        }

        return container is not null && Evaluate(container) is not null;
    }

    /// <summary>
    /// True when the string is appended to a run-time value (<c>root + "/models/a.pt"</c>, <c>Path.Join(root, "a.pt")</c>),
    /// so a leading separator does not make it absolute.
    /// </summary>
    public bool IsTrailingFragment(IOperation operation)
    {
        var child = operation;
        var parent = operation.Parent;
        while (parent is IConversionOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        if (parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } concatenation)
        {
            return ReferenceEquals(concatenation.RightOperand, child);
        }

        return parent is IArgumentOperation argument
            && argument.Parent is IInvocationOperation invocation
            && IsPathJoin(invocation)
            && argument.Parameter?.Ordinal > 0;
    }

    private static IOperation? ContainerOf(IOperation operation)
    {
        var parent = operation.Parent;
        while (parent is IConversionOperation
            or IArgumentOperation
            or IArrayInitializerOperation
            or IArrayCreationOperation
            or IInterpolationOperation
            or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        return parent;
    }

    private static string? StringConstantOf(IOperation operation) =>
        operation.ConstantValue is { HasValue: true, Value: string value } ? value : null;

    private static string? ArgumentConstantOf(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return StringConstantOf(operation);
    }

    private static string? Combine(IInvocationOperation invocation, bool restartAtRootedPart)
    {
        var parts = new List<string>();
        foreach (var argument in invocation.Arguments.OrderBy(argument => argument.Parameter?.Ordinal ?? 0))
        {
            if (argument.Value is IArrayCreationOperation array)
            {
                if (array.Initializer is null)
                {
                    return null;
                }

                foreach (var element in array.Initializer.ElementValues)
                {
                    var elementValue = ArgumentConstantOf(element);
                    if (elementValue is null)
                    {
                        return null;
                    }

                    parts.Add(elementValue);
                }

                continue;
            }

            var value = ArgumentConstantOf(argument.Value);
            if (value is null)
            {
                return null;
            }

            parts.Add(value);
        }

        var combined = string.Empty;
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }

            if (combined.Length == 0 || (restartAtRootedPart && ModelPath.IsAbsolute(part)))
            {
                combined = part;
            }
            else if (ModelPath.IsSeparator(combined[combined.Length - 1]) || ModelPath.IsSeparator(part[0]))
            {
                combined += part;
            }
            else
            {
                combined += "/" + part;
            }
        }

        return combined.Length > 0 ? combined : null;
    }

    private static bool IsPathCombine(IInvocationOperation invocation) => IsPathMethod(invocation, "Combine");

    private static bool IsPathJoin(IInvocationOperation invocation) => IsPathMethod(invocation, "Join");

    /// <summary>
    /// A method of System.IO.Path, recognised by its names. (Not with Compilation.GetTypeByMetadataName, which searches
    /// every referenced assembly and cost more than all the rest of the analysis of a build.)
    /// </summary>
    private static bool IsPathMethod(IInvocationOperation invocation, string name) =>
        invocation.TargetMethod.Name == name
        && invocation.TargetMethod.ContainingType is { Name: "Path", Arity: 0, ContainingType: null } type
        && type.ContainingNamespace is { Name: "IO" } io
        && io.ContainingNamespace is { Name: "System" } system
        && system.ContainingNamespace is { IsGlobalNamespace: true };
}
