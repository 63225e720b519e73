using GitTheta.Core.Git;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GitTheta.Tasks;

/// <summary>
/// A ThetaModel that names a folder (<c>&lt;ThetaModel Include="models/bert" Revision="v1.2" /&gt;</c>, a Hub model with
/// its config, tokenizer and weights): one model per file in it. With a Revision the files are those of the folder in
/// that commit (so files deleted since still ship and files added since do not); without one, those of the work tree.
/// A glob (<c>models/bert/**</c>) is expanded by MSBuild against the work tree before any task sees it, so only the
/// folder form can ship a file that the work tree no longer has.
/// </summary>
internal static class ModelFolder
{
    /// <summary>
    /// The declared models with every folder replaced by its files, each carrying the folder's metadata and a Link
    /// under the folder's target path; a folder's Name prefixes the member name of each file (BertV1 + Config).
    /// </summary>
    public static IReadOnlyList<ThetaModelItem> Expand(IEnumerable<ITaskItem> items, string projectDirectory, Func<string, GitRepository?> findRepository)
    {
        var models = new List<ThetaModelItem>();
        foreach (var item in items)
        {
            var model = ThetaModelItem.From(item, projectDirectory);
            var files = Files(model, findRepository);
            if (files is null)
            {
                models.Add(model);
                continue;
            }

            foreach (var relative in files)
            {
                var file = new TaskItem(Path.Combine(model.FullPath, relative));
                item.CopyMetadataTo(file);
                file.RemoveMetadata(ModelMetadata.Name);
                file.SetMetadata(ModelMetadata.FolderName, model.ExplicitName);
                file.SetMetadata(ModelMetadata.Link, model.TargetPath.TrimEnd('/') + "/" + relative.Replace('\\', '/'));
                models.Add(ThetaModelItem.From(file, projectDirectory));
            }
        }

        return models;
    }

    /// <summary>The files of the folder a model names, relative to it and sorted, or null when the model is not a folder.</summary>
    private static IReadOnlyList<string>? Files(ThetaModelItem model, Func<string, GitRepository?> findRepository)
    {
        if (model.Revision.Length > 0)
        {
            if (findRepository(model.FullPath) is not { WorkTree: { } root } repository
                || repository.ResolveCommit(model.Revision) is not { } commit)
            {
                return null;
            }

            var path = repository.RelativePath(model.FullPath).TrimEnd('/');
            if (path.Length == 0 || !repository.IsFolder(commit, path))
            {
                return null;
            }

            var listed = GitCli.Run(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--", path + "/");
            if (!listed.Succeeded)
            {
                return null;
            }

            return listed.Text.Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p[(path.Length + 1)..])
                .Order(StringComparer.Ordinal)
                .ToList();
        }

        if (!Directory.Exists(model.FullPath))
        {
            return null;
        }

        return Directory.EnumerateFiles(model.FullPath, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(model.FullPath, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
