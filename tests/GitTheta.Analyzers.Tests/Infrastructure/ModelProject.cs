using System.Text;
using Microsoft.CodeAnalysis.Testing;

namespace GitTheta.Analyzers.Tests.Infrastructure;

/// <summary>
/// What GitTheta.Sdk hands the analyzers for one project, written the way the build writes it: one AdditionalFile per
/// model file and a .globalconfig with the build properties and each file's metadata.
/// </summary>
internal sealed class ModelProject
{
    public const string Directory = "/app";

    private readonly List<ModelFile> files = new();
    private readonly SortedDictionary<string, string> globalSettings = new(StringComparer.Ordinal)
    {
        ["build_property.MSBuildProjectDirectory"] = Directory,
    };

    /// <summary>A <c>ThetaModel</c> item. <paramref name="declaredAs"/> is the Include as written, when it differs from the path.</summary>
    public ModelProject Declare(string projectPath, string? name = null, string? declaredAs = null)
    {
        files.Add(new ModelFile(projectPath, AdditionalFileKinds.ThetaModel, declaredAs ?? projectPath, name));
        return this;
    }

    /// <summary>A file with a model extension that the SDK found under the project folder.</summary>
    public ModelProject Candidate(string projectPath)
    {
        files.Add(new ModelFile(projectPath, AdditionalFileKinds.ModelCandidate, declaredPath: null, name: null));
        return this;
    }

    /// <summary>An AdditionalFile that the SDK did not mark (another tool's input).</summary>
    public ModelProject Unmarked(string projectPath)
    {
        files.Add(new ModelFile(projectPath, kind: null, declaredPath: null, name: null));
        return this;
    }

    public ModelProject WithProperty(string name, string? value)
    {
        var key = "build_property." + name;
        if (value is null)
        {
            globalSettings.Remove(key);
        }
        else
        {
            globalSettings[key] = value;
        }

        return this;
    }

    public ModelProject CaseSensitive(bool caseSensitive) =>
        WithProperty("GitThetaCaseSensitivePaths", caseSensitive ? "true" : "false");

    public ModelProject WithSeverity(string diagnosticId, string severity)
    {
        globalSettings[$"dotnet_diagnostic.{diagnosticId}.severity"] = severity;
        return this;
    }

    public static string FullPath(string projectPath) => Directory + "/" + projectPath;

    public void ApplyTo(SolutionState state)
    {
        foreach (var file in files)
        {
            // The analyzers never read a model file; a checkpoint's bytes are not text anyway.
            state.AdditionalFiles.Add((FullPath(file.ProjectPath), string.Empty));
        }

        state.AnalyzerConfigFiles.Add(("/.globalconfig", GlobalConfig()));
    }

    private string GlobalConfig()
    {
        var config = new StringBuilder("is_global = true\n");
        foreach (var setting in globalSettings)
        {
            config.Append(setting.Key).Append(" = ").Append(setting.Value).Append('\n');
        }

        foreach (var file in files.Where(file => file.Kind is not null))
        {
            config.Append('\n').Append('[').Append(FullPath(file.ProjectPath)).Append("]\n");
            config.Append("build_metadata.AdditionalFiles.GitThetaKind = ").Append(file.Kind).Append('\n');
            if (file.DeclaredPath is not null)
            {
                config.Append("build_metadata.AdditionalFiles.GitThetaModelPath = ").Append(file.DeclaredPath).Append('\n');
            }

            if (file.Name is not null)
            {
                config.Append("build_metadata.AdditionalFiles.GitThetaModelName = ").Append(file.Name).Append('\n');
            }
        }

        return config.ToString();
    }

    private sealed class ModelFile
    {
        public ModelFile(string projectPath, string? kind, string? declaredPath, string? name)
        {
            ProjectPath = projectPath;
            Kind = kind;
            DeclaredPath = declaredPath;
            Name = name;
        }

        public string ProjectPath { get; }

        public string? Kind { get; }

        public string? DeclaredPath { get; }

        public string? Name { get; }
    }
}
