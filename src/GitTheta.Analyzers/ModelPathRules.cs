using GitTheta.Core.Diagnostics;
using Microsoft.CodeAnalysis;

namespace GitTheta.Analyzers;

/// <summary>The descriptors of GT0001-GT0004. Each has a page in docs/diagnostics.</summary>
internal static class ModelPathRules
{
    public const string Category = "GitTheta";

    private const string HelpLinkBase = "https://github.com/gittheta/gittheta-dotnet/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor UndeclaredModelPath = new(
        DiagnosticIds.UndeclaredModelPath,
        title: "Model file used in code is not declared as a ThetaModel",
        messageFormat: "'{0}' names a model file that no <ThetaModel> item declares, so git-theta does not version it",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Code refers to a model file by path, but the project has no <ThetaModel> item for it. git-theta will not version the file, restore will not materialize it and publish will not ship it. Declare it with <ThetaModel Include=\"...\" />.",
        helpLinkUri: HelpLinkBase + DiagnosticIds.UndeclaredModelPath + ".md");

    public static readonly DiagnosticDescriptor UndeclaredModelFile = new(
        DiagnosticIds.UndeclaredModelFile,
        title: "Model file in the project folder is not declared as a ThetaModel",
        messageFormat: "Model file '{0}' is in the project folder but no <ThetaModel> item declares it, so git-theta does not version it",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A file with a model extension lies under the project folder, but the project has no <ThetaModel> item for it. Without one git stores it as an opaque blob (or not at all). Declare it with <ThetaModel Include=\"...\" />, or move it out of the project folder.",
        helpLinkUri: HelpLinkBase + DiagnosticIds.UndeclaredModelFile + ".md");

    public static readonly DiagnosticDescriptor AbsoluteModelPath = new(
        DiagnosticIds.AbsoluteModelPath,
        title: "Absolute path to a model file",
        messageFormat: "'{0}' is an absolute path to a model file; it will not exist on another machine",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An absolute path ties the code to one machine's folders, and git-theta cannot version a file outside the repository. Put the model in the project, declare it with <ThetaModel Include=\"...\" /> and use ThetaModels.<Name>.Path.",
        helpLinkUri: HelpLinkBase + DiagnosticIds.AbsoluteModelPath + ".md");

    public static readonly DiagnosticDescriptor UseGeneratedModelPath = new(
        DiagnosticIds.UseGeneratedModelPath,
        title: "Use the generated ThetaModels path",
        messageFormat: "Use ThetaModels.{1}.Path instead of the literal '{0}'",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "The path names a model that a <ThetaModel> item declares. The generated ThetaModels class holds the same path and follows the item when it is renamed or moved.",
        helpLinkUri: HelpLinkBase + DiagnosticIds.UseGeneratedModelPath + ".md");
}
