using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GitTheta.Analyzers;

/// <summary>The models that the project declares with <c>ThetaModel</c> items, looked up by path or file name.</summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, DeclaredModel> modelsByPath;
    private readonly HashSet<string> declaredFileNames;

    private ModelCatalog(Dictionary<string, DeclaredModel> modelsByPath, HashSet<string> declaredFileNames)
    {
        this.modelsByPath = modelsByPath;
        this.declaredFileNames = declaredFileNames;
    }

    /// <summary>
    /// Reads the <c>ThetaModel</c> additional files in ordinal path order, so that when two items claim the same
    /// path the same one wins in every build, whatever order the host lists them in. Only paths and metadata are read:
    /// the files are checkpoints, often gigabytes, and never opened.
    /// </summary>
    public static ModelCatalog Read(AnalyzerOptions options, ProjectSettings settings)
    {
        var modelsByPath = new Dictionary<string, DeclaredModel>(settings.PathComparer);
        var declaredFileNames = new HashSet<string>(settings.PathComparer);

        foreach (var file in options.AdditionalFiles.OrderBy(file => file.Path, StringComparer.Ordinal))
        {
            var metadata = options.AnalyzerConfigOptionsProvider.GetOptions(file);
            if (KindOf(metadata) != AdditionalFileKinds.ThetaModel)
            {
                continue;
            }

            var declaredPath = ValueOf(metadata, AnalyzerOptionKeys.DeclaredModelPath) ?? file.Path;
            var projectPath = settings.ToProjectKey(declaredPath);
            var memberName = ValueOf(metadata, AnalyzerOptionKeys.DeclaredModelName)
                ?? ModelMemberName.FromFileName(ModelPath.FileNameOf(projectPath), settings.Extensions);
            var model = new DeclaredModel(projectPath, memberName);

            // The item is found both by the path it declares and by where the file actually is (they differ when
            // the declared path is spelled oddly, or when the project folder is not known).
            Add(modelsByPath, projectPath, model);
            Add(modelsByPath, settings.ToProjectKey(file.Path), model);
            declaredFileNames.Add(model.FileName);
        }

        return new ModelCatalog(modelsByPath, declaredFileNames);
    }

    /// <summary>The kind of an additional file, null when the SDK did not mark it.</summary>
    public static string? KindOf(AnalyzerConfigOptions metadata)
    {
        var kind = ValueOf(metadata, AnalyzerOptionKeys.FileKind);
        if (string.Equals(kind, AdditionalFileKinds.ThetaModel, StringComparison.OrdinalIgnoreCase))
        {
            return AdditionalFileKinds.ThetaModel;
        }

        return string.Equals(kind, AdditionalFileKinds.ModelCandidate, StringComparison.OrdinalIgnoreCase)
            ? AdditionalFileKinds.ModelCandidate
            : null;
    }

    /// <summary>The model declared at <paramref name="projectKey"/> (see <see cref="ProjectSettings.ToProjectKey"/>).</summary>
    public DeclaredModel? FindByPath(string projectKey) =>
        modelsByPath.TryGetValue(projectKey, out var model) ? model : null;

    /// <summary>Whether some declared model, in any folder, has this file name.</summary>
    public bool DeclaresFileName(string fileName) => declaredFileNames.Contains(fileName);

    private static void Add(Dictionary<string, DeclaredModel> modelsByPath, string key, DeclaredModel model)
    {
        if (!modelsByPath.ContainsKey(key))
        {
            modelsByPath.Add(key, model);
        }
    }

    private static string? ValueOf(AnalyzerConfigOptions metadata, string key) =>
        metadata.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
