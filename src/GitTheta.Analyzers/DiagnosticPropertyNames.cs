namespace GitTheta.Analyzers;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> that the analyzers hand to the code fixes.</summary>
internal static class DiagnosticPropertyNames
{
    /// <summary>The member of the generated <c>ThetaModels</c> class that a GT0004 fix refers to.</summary>
    public const string ModelName = "GitThetaModelName";
}
