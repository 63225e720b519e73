using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>A declared ThetaModel item as the tasks read it: where it is, where it goes, which version it pins.</summary>
internal sealed class ThetaModelItem
{
    private ThetaModelItem(ITaskItem item, string fullPath, string projectPath, string targetPath)
    {
        Item = item;
        FullPath = fullPath;
        ProjectPath = projectPath;
        TargetPath = targetPath;
    }

    public ITaskItem Item { get; }

    /// <summary>The absolute path of the model in the work tree (it need not exist when a Revision is pinned).</summary>
    public string FullPath { get; }

    /// <summary>The path relative to the project folder, with '/' ("models/a.safetensors", or "../shared/a.pt").</summary>
    public string ProjectPath { get; }

    /// <summary>The path in the output and publish folders: Link, else the project-relative path, else (outside the project) the file name.</summary>
    public string TargetPath { get; }

    public string Revision => Item.GetMetadata(ModelMetadata.Revision).Trim();

    public string Format => Item.GetMetadata(ModelMetadata.Format).Trim();

    public string ExplicitName => Item.GetMetadata(ModelMetadata.Name).Trim();

    /// <summary>The Name of the folder this file was declared through (empty for a file declared itself).</summary>
    public string FolderName => Item.GetMetadata(ModelMetadata.FolderName).Trim();

    public static ThetaModelItem From(ITaskItem item, string projectDirectory)
    {
        var fullPath = Path.GetFullPath(item.GetMetadata("FullPath") is { Length: > 0 } full ? full : item.ItemSpec, projectDirectory);
        var projectPath = Path.GetRelativePath(projectDirectory, fullPath).Replace('\\', '/');
        var link = Normalize(item.GetMetadata(ModelMetadata.Link));
        string targetPath;
        if (link.Length > 0 && !IsOutside(link) && !Path.IsPathRooted(link))
        {
            targetPath = link;
        }
        else if (!IsOutside(projectPath) && !Path.IsPathRooted(projectPath))
        {
            targetPath = projectPath;
        }
        else
        {
            targetPath = Path.GetFileName(fullPath);
        }

        return new ThetaModelItem(item, fullPath, projectPath, targetPath);
    }

    private static string Normalize(string path)
    {
        var normalized = path.Trim().Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        return normalized;
    }

    private static bool IsOutside(string relative) => relative == ".." || relative.StartsWith("../", StringComparison.Ordinal);
}
