using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GitTheta.Analyzers;

/// <summary>What the analyzers know about the project from its build properties.</summary>
internal sealed class ProjectSettings
{
    private ProjectSettings(ModelExtensions extensions, string? projectDirectory, StringComparer pathComparer)
    {
        Extensions = extensions;
        ProjectDirectory = projectDirectory;
        PathComparer = pathComparer;
    }

    public ModelExtensions Extensions { get; }

    /// <summary>Normalized (see <see cref="ModelPath.Normalize"/>); null when the build did not pass it.</summary>
    public string? ProjectDirectory { get; }

    /// <summary>Compares normalized paths the way the file system does.</summary>
    public StringComparer PathComparer { get; }

    public static ProjectSettings Read(AnalyzerConfigOptions globalOptions)
    {
        globalOptions.TryGetValue(AnalyzerOptionKeys.ModelExtensions, out var extensionList);
        return new ProjectSettings(
            ModelExtensions.Parse(extensionList),
            ReadProjectDirectory(globalOptions),
            ReadCaseSensitivity(globalOptions) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The key under which a path is compared with declared models: normalized, and project-relative when it is an
    /// absolute path inside the project folder.
    /// </summary>
    public string ToProjectKey(string path)
    {
        var normalized = ModelPath.Normalize(path);
        if (ProjectDirectory is null || !ModelPath.IsAbsolute(normalized))
        {
            return normalized;
        }

        return ModelPath.RelativeTo(ProjectDirectory, normalized, PathComparer) ?? normalized;
    }

    private static string? ReadProjectDirectory(AnalyzerConfigOptions globalOptions)
    {
        foreach (var key in new[] { AnalyzerOptionKeys.ProjectDir, AnalyzerOptionKeys.MSBuildProjectDirectory })
        {
            if (globalOptions.TryGetValue(key, out var directory) && !string.IsNullOrWhiteSpace(directory))
            {
                return ModelPath.Normalize(directory.Trim());
            }
        }

        return null;
    }

    private static bool ReadCaseSensitivity(AnalyzerConfigOptions globalOptions)
    {
        if (globalOptions.TryGetValue(AnalyzerOptionKeys.CaseSensitivePaths, out var value) && bool.TryParse(value.Trim(), out var caseSensitive))
        {
            return caseSensitive;
        }

        // The default file systems of Windows (NTFS) and macOS (APFS) ignore case; Linux's do not.
        return !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && !RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
    }
}
