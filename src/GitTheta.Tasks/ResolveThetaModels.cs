using GitTheta.Analyzers;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GitTheta.Tasks;

/// <summary>
/// Decides, cheaply and on every build, where each ThetaModel's bytes come from (a pinned revision, metadata in the
/// work tree, or the work-tree file itself), where it goes, and what it is (commit, metadata blob, parameter count).
/// Reads only small files and git objects; the checkpoints themselves are written by <see cref="MaterializeThetaModels"/>.
/// </summary>
public sealed class ResolveThetaModels : ThetaTask
{
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>Where materialized models go (obj/gittheta/), under their target paths.</summary>
    [Required]
    public string MaterializeDirectory { get; set; } = string.Empty;

    /// <summary>The model extensions (GitThetaModelExtensions), for the member names of the ThetaModels class.</summary>
    public string? ModelExtensions { get; set; }

    [Output]
    public ITaskItem[] ResolvedModels { get; private set; } = Array.Empty<ITaskItem>();

    protected override void Run()
    {
        var extensions = Analyzers.ModelExtensions.Parse(ModelExtensions);
        var resolved = new List<ITaskItem>();
        foreach (var model in DeclaredModels(Models, ProjectDirectory))
        {
            if (Resolve(model, extensions) is { } output)
            {
                resolved.Add(output);
            }
        }

        ReportConflicts(resolved);
        ResolvedModels = resolved.ToArray();
    }

    private TaskItem? Resolve(ThetaModelItem model, ModelExtensions extensions)
    {
        var output = new TaskItem(model.FullPath);
        model.Item.CopyMetadataTo(output);
        output.SetMetadata(ModelMetadata.ProjectPath, model.ProjectPath);
        output.SetMetadata(ModelMetadata.TargetPath, model.TargetPath);
        output.SetMetadata(ModelMetadata.ModelFile, model.FullPath);
        output.SetMetadata(ModelMetadata.Revision, model.Revision);
        var copyToOutput = model.Item.GetMetadata(ModelMetadata.CopyToOutputDirectory) is { Length: > 0 } declared ? declared : "PreserveNewest";
        output.SetMetadata(ModelMetadata.CopyToOutputDirectory, copyToOutput);
        if (model.Item.GetMetadata(ModelMetadata.CopyToPublishDirectory).Length == 0)
        {
            output.SetMetadata(ModelMetadata.CopyToPublishDirectory, copyToOutput);
        }
        output.SetMetadata(ModelMetadata.MemberName, model.ExplicitName.Length > 0 ? model.ExplicitName : model.FolderName + ModelMemberName.FromFileName(Path.GetFileName(model.FullPath), extensions));

        var theta = FindRepository(model.FullPath);
        if (theta?.WorkTree is not { } root)
        {
            return NotInRepository(model, output);
        }

        var repository = theta.Git;
        var repositoryPath = repository.RelativePath(model.FullPath);
        output.SetMetadata(ModelMetadata.RepositoryRoot, root);
        output.SetMetadata(ModelMetadata.RepositoryPath, repositoryPath);
        var materializer = theta.Materializer;
        if (model.Revision.Length > 0)
        {
            return FromRevision(model, output, materializer, repository, root, repositoryPath);
        }

        if (!File.Exists(model.FullPath))
        {
            Error(DiagnosticIds.ModelFileMissing, $"ThetaModel '{model.ProjectPath}' does not exist; check it out ('git checkout -- {repositoryPath}' in {Display(root)}), fix the Include, or pin a Revision that has it.");
            return null;
        }

        var head = materializer.HeadCommit() ?? string.Empty;
        output.SetMetadata(ModelMetadata.Commit, head);
        var standIn = ReadWorkTreeStandIn(model);
        if (standIn.Metadata is { } metadata)
        {
            return Materialized(output, model, ModelSource.WorkTreeMetadata, CheckpointMaterializer.BlobId(standIn.Bytes!), metadata, repositoryPath);
        }

        if (standIn.Pointer is { } pointer)
        {
            return FromLfsPointer(output, model, pointer, repositoryPath);
        }

        if (standIn.IsPointer)
        {
            Error(DiagnosticIds.ModelContentUnresolved, $"ThetaModel '{model.ProjectPath}' is a git-lfs pointer that names no object (damaged), and a pointer is never shipped as the model; check it out again ('git checkout -- {repositoryPath}' in {Display(root)}).");
            return null;
        }

        if (standIn.LooksLikeMetadata)
        {
            Error(DiagnosticIds.ModelMaterializationFailed, $"ThetaModel '{model.ProjectPath}' is git-theta metadata that cannot be read (damaged or truncated), and metadata is never shipped as the model; check it out again ('git checkout -- {repositoryPath}' in {Display(root)}) or restore it from a commit.");
            return null;
        }

        if (standIn.IsReference)
        {
            ReferenceError(model, repositoryPath);
            return null;
        }

        // The checkpoint itself: it ships as it is, and is described by the metadata staged for it, when there is some.
        output.SetMetadata(ModelMetadata.Source, ModelSource.WorkTreeFile);
        output.SetMetadata(ModelMetadata.SourceFile, model.FullPath);
        var staged = materializer.IndexBlobId(repositoryPath);
        var stagedMetadata = staged is null ? null : materializer.ReadMetadata(staged, repositoryPath);
        if (stagedMetadata is not null)
        {
            output.SetMetadata(ModelMetadata.MetadataOid, staged);
            output.SetMetadata(ModelMetadata.ParameterCount, stagedMetadata.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            output.SetMetadata(ModelMetadata.CheckpointFormat, stagedMetadata.CheckpointType);
        }
        else
        {
            Describe(output, model.FullPath);
        }

        return output;
    }

    private TaskItem? FromRevision(ThetaModelItem model, TaskItem output, CheckpointMaterializer materializer, GitRepository repository, string root, string repositoryPath)
    {
        var commit = materializer.ResolveCommit(model.Revision);
        if (commit is null)
        {
            var fix = GitEnvironment.IsShallow(repository)
                ? $"this is a shallow clone, which has only the newest commits: fetch the history with 'git fetch --unshallow --tags' (or a deeper 'git fetch --depth <n> --tags'; in CI, check out with fetch-depth: 0), or fix the Revision"
                : "fix the Revision, or fetch it ('git fetch --tags')";
            Error(DiagnosticIds.ModelRevisionUnknown, $"ThetaModel '{model.ProjectPath}': Revision '{model.Revision}' is not a tag, branch or commit of the repository at {Display(root)}; {fix}.");
            return null;
        }

        var blob = materializer.Find(commit, repositoryPath);
        if (blob is null)
        {
            Error(DiagnosticIds.ModelFileMissing, $"ThetaModel '{model.ProjectPath}' does not exist in Revision '{model.Revision}' (commit {commit[..12]}) as '{repositoryPath}'; pin a revision that has it, or fix the Include (a glob such as 'models/**' is expanded against the work tree: to ship a folder as it was, Include the folder itself).");
            return null;
        }

        output.SetMetadata(ModelMetadata.Commit, commit);
        ThetaMetadata? metadata;
        try
        {
            metadata = materializer.ReadMetadata(blob.BlobId, repositoryPath);
        }
        catch (ThetaException e)
        {
            Error(DiagnosticIds.ModelMaterializationFailed, $"ThetaModel '{model.ProjectPath}' in Revision '{model.Revision}': {e.Message} ({e.Code})");
            return null;
        }

        if (metadata is null && BuildRepositories.BlobPrefix(repository, blob.BlobId) is { } small)
        {
            if (LfsPointerContent.IsPointer(small))
            {
                if (LfsPointerContent.TryParse(small) is { } pointer)
                {
                    return FromLfsPointer(output, model, pointer, repositoryPath);
                }

                Error(DiagnosticIds.ModelContentUnresolved, $"ThetaModel '{model.ProjectPath}' in Revision '{model.Revision}' (commit {commit[..12]}) is a git-lfs pointer that names no object (damaged), and a pointer is never shipped as the model; pin a revision with an intact pointer.");
                return null;
            }

            if (ReferenceMetadata.Looks(small))
            {
                ReferenceError(model, repositoryPath);
                return null;
            }

            // Metadata that does not parse would otherwise be written out as if it were the model's bytes.
            if (ThetaRepository.IsMetadata(small))
            {
                Error(DiagnosticIds.ModelMaterializationFailed, $"ThetaModel '{model.ProjectPath}' in Revision '{model.Revision}' (commit {commit[..12]}) is git-theta metadata that cannot be read (damaged or truncated), and metadata is never shipped as the model; pin a revision whose metadata is intact.");
                return null;
            }
        }

        return Materialized(output, model, ModelSource.Revision, blob.BlobId, metadata, repositoryPath);
    }

    /// <summary>Python git-theta's metadata in place of the model: shipped, it would stand in for the weights without a word.</summary>
    private void ReferenceError(ThetaModelItem model, string repositoryPath)
    {
        var reference = ReferenceMetadata.Error(repositoryPath);
        Error(DiagnosticIds.ModelMaterializationFailed, $"ThetaModel '{model.ProjectPath}': {reference.Message} ({reference.Code}; metadata is never shipped as the model)");
    }

    private TaskItem Materialized(TaskItem output, ThetaModelItem model, string source, string metadataOid, ThetaMetadata? metadata, string repositoryPath)
    {
        var materialized = Path.GetFullPath(Path.Combine(MaterializeDirectory, model.TargetPath));
        var stamp = MaterializeStamp.PathFor(materialized);
        MaterializeStamp.Update(stamp, source, metadataOid, repositoryPath);
        output.SetMetadata(ModelMetadata.Source, source);
        output.SetMetadata(ModelMetadata.SourceFile, materialized);
        output.SetMetadata(ModelMetadata.MaterializedFile, materialized);
        output.SetMetadata(ModelMetadata.StampFile, stamp);
        output.SetMetadata(ModelMetadata.MetadataOid, metadataOid);
        output.SetMetadata(ModelMetadata.ParameterCount, metadata is null ? string.Empty : metadata.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        output.SetMetadata(ModelMetadata.CheckpointFormat, metadata?.CheckpointType ?? string.Empty);
        return output;
    }

    private TaskItem? NotInRepository(ThetaModelItem model, TaskItem output)
    {
        if (!File.Exists(model.FullPath))
        {
            Error(DiagnosticIds.ModelFileMissing, $"ThetaModel '{model.ProjectPath}' does not exist (and it is not inside a git repository, so no Revision can supply it); fix the Include.");
            return null;
        }

        if (ReadWorkTreeStandIn(model) is { LooksLikeMetadata: true } or { IsPointer: true } or { IsReference: true })
        {
            Error(DiagnosticIds.ModelContentUnresolved, $"ThetaModel '{model.ProjectPath}' is a git-lfs pointer or git-theta metadata, not the model, and outside a git repository there is no store to resolve it from; build from the clone it came from, or replace it with the real file.");
            return null;
        }

        var ignored = model.Revision.Length > 0 ? $" Revision '{model.Revision}' is ignored." : string.Empty;
        Warning(DiagnosticIds.ModelNotInRepository, $"ThetaModel '{model.ProjectPath}' is not inside a git repository, so git-theta cannot version or pin it; it is copied as it is.{ignored} Put the project in a repository ('git init') to version the model.");
        output.SetMetadata(ModelMetadata.Source, ModelSource.NotInRepository);
        output.SetMetadata(ModelMetadata.SourceFile, model.FullPath);
        Describe(output, model.FullPath);
        return output;
    }

    private TaskItem FromLfsPointer(TaskItem output, ThetaModelItem model, LfsPointerContent pointer, string repositoryPath)
    {
        var materialized = Path.GetFullPath(Path.Combine(MaterializeDirectory, model.TargetPath));
        var stamp = MaterializeStamp.PathFor(materialized);
        MaterializeStamp.Update(stamp, ModelSource.LfsPointer, "lfs:" + pointer.Oid, repositoryPath);
        output.SetMetadata(ModelMetadata.Source, ModelSource.LfsPointer);
        output.SetMetadata(ModelMetadata.SourceFile, materialized);
        output.SetMetadata(ModelMetadata.MaterializedFile, materialized);
        output.SetMetadata(ModelMetadata.StampFile, stamp);
        output.SetMetadata(ModelMetadata.LfsOid, pointer.Oid);
        output.SetMetadata(ModelMetadata.LfsSize, pointer.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return output;
    }

    /// <summary>
    /// What stands in a work-tree file instead of the model, read from its first bytes: theta metadata (parsed, or
    /// only looking like metadata when damaged), or a git-lfs pointer. All null for a file that is its own content.
    /// </summary>
    private static (bool LooksLikeMetadata, ThetaMetadata? Metadata, bool IsPointer, LfsPointerContent? Pointer, byte[]? Bytes, bool IsReference) ReadWorkTreeStandIn(ThetaModelItem model)
    {
        var info = new FileInfo(model.FullPath);
        if (info.Length > MetadataSerializer.MaxMetadataBytes)
        {
            return (false, null, false, null, null, false);
        }

        var prefix = new byte[4096];
        int read;
        using (var stream = info.OpenRead())
        {
            read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        }

        if (LfsPointerContent.IsPointer(prefix.AsSpan(0, read)))
        {
            return (false, null, true, LfsPointerContent.TryParse(prefix.AsSpan(0, read)), null, false);
        }

        if (!ThetaRepository.IsMetadata(prefix.AsSpan(0, read)))
        {
            return (false, null, false, null, null, ReferenceMetadata.Looks(prefix.AsSpan(0, read)));
        }

        var bytes = File.ReadAllBytes(model.FullPath);
        return (true, MetadataSerializer.TryParse(bytes, model.ProjectPath), false, null, bytes, false);
    }

    private void Describe(TaskItem output, string file)
    {
        if (CheckpointInspector.Inspect(FormatsFor(file), file) is { } description)
        {
            output.SetMetadata(ModelMetadata.CheckpointFormat, description.Format);
            output.SetMetadata(ModelMetadata.ParameterCount, description.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private void ReportConflicts(List<ITaskItem> resolved)
    {
        var names = new Dictionary<string, ITaskItem>(StringComparer.Ordinal);
        var targets = new Dictionary<string, ITaskItem>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in resolved)
        {
            var projectPath = item.GetMetadata(ModelMetadata.ProjectPath);
            var name = item.GetMetadata(ModelMetadata.MemberName);
            if (!IsIdentifier(name) || name == "ThetaModels")
            {
                Error(DiagnosticIds.ModelConflict, $"ThetaModel '{projectPath}': '{name}' cannot name a member of the ThetaModels class; set its Name metadata to a C# identifier other than ThetaModels.");
            }
            else if (names.TryGetValue(name, out var other))
            {
                Error(DiagnosticIds.ModelConflict, $"ThetaModels '{other.GetMetadata(ModelMetadata.ProjectPath)}' and '{projectPath}' both get the member name '{name}'; set the Name metadata of one of them.");
            }
            else
            {
                names[name] = item;
            }

            var target = item.GetMetadata(ModelMetadata.TargetPath);
            if (targets.TryGetValue(target, out var same))
            {
                Error(DiagnosticIds.ModelConflict, $"ThetaModels '{same.GetMetadata(ModelMetadata.ProjectPath)}' and '{projectPath}' both go to '{target}' in the output; set the Link metadata of one of them.");
            }
            else
            {
                targets[target] = item;
            }
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0
        && (char.IsLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsLetterOrDigit(c) || c == '_' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark or System.Globalization.UnicodeCategory.ConnectorPunctuation);
}
