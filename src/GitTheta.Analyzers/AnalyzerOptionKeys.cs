namespace GitTheta.Analyzers;

/// <summary>
/// The keys through which GitTheta.Sdk hands the project's declared and candidate model files to the analyzers.
/// This is a contract with the SDK's targets: docs/analyzers.md describes it for their author.
/// </summary>
internal static class AnalyzerOptionKeys
{
    /// <summary>Model file extensions separated by spaces, commas or semicolons (<c>;</c> starts a comment in a .globalconfig).</summary>
    public const string ModelExtensions = "build_property.GitThetaModelExtensions";

    /// <summary><c>true</c> or <c>false</c>; when absent the rule of the operating system that runs the compiler applies.</summary>
    public const string CaseSensitivePaths = "build_property.GitThetaCaseSensitivePaths";

    public const string ProjectDir = "build_property.ProjectDir";

    public const string MSBuildProjectDirectory = "build_property.MSBuildProjectDirectory";

    /// <summary>Either <see cref="AdditionalFileKinds.ThetaModel"/> or <see cref="AdditionalFileKinds.ModelCandidate"/>.</summary>
    public const string FileKind = "build_metadata.AdditionalFiles.GitThetaKind";

    /// <summary>The project-relative path of a <c>ThetaModel</c> item as the project declares it.</summary>
    public const string DeclaredModelPath = "build_metadata.AdditionalFiles.GitThetaModelPath";

    /// <summary>The member of the generated <c>ThetaModels</c> class that stands for a <c>ThetaModel</c> item.</summary>
    public const string DeclaredModelName = "build_metadata.AdditionalFiles.GitThetaModelName";
}
