namespace GitTheta.Analyzers;

/// <summary>A model that a <c>ThetaModel</c> item declares.</summary>
internal sealed class DeclaredModel
{
    public DeclaredModel(string projectPath, string memberName)
    {
        ProjectPath = projectPath;
        MemberName = memberName;
    }

    /// <summary>The declared path as a project key (see <see cref="ProjectSettings.ToProjectKey"/>).</summary>
    public string ProjectPath { get; }

    public string FileName => ModelPath.FileNameOf(ProjectPath);

    /// <summary>The member of the generated <c>ThetaModels</c> class for this model.</summary>
    public string MemberName { get; }
}
