using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using GitTheta.Core.Storage;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>
/// Brings into the local LFS store every object that the ThetaModels need (a pinned model's Revision, any other's
/// commit checked out and work-tree metadata), in one git-lfs session per repository, and the object of each model that
/// is a git-lfs pointer, so that a later build works offline. What cannot be had is a warning here: the build that
/// needs it fails with GT1003 (GT1011 for a pointer).
/// </summary>
public sealed class PrefetchThetaModels : ThetaTask
{
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    protected override void Run()
    {
        var wanted = new Dictionary<ThetaRepository, List<ThetaMetadata>>();
        foreach (var model in DeclaredModels(Models, ProjectDirectory))
        {
            if (FindRepository(model.FullPath) is not { } theta)
            {
                continue;
            }

            var repository = theta.Git;
            var path = repository.RelativePath(model.FullPath);
            var materializer = theta.Materializer;
            if (!wanted.TryGetValue(theta, out var list))
            {
                wanted[theta] = list = new List<ThetaMetadata>();
            }

            // A pinned model ships its Revision; any other ships the work tree, whose committed state is HEAD's.
            foreach (var revision in new[] { model.Revision.Length > 0 ? model.Revision : "HEAD" })
            {
                // An unknown revision is the build's error (GT1002), with its own message; nothing to fetch for it here.
                if (materializer.ResolveCommit(revision) is { } commit && materializer.Find(commit, path) is { } blob
                    && TryRead(() => materializer.ReadMetadata(blob.BlobId, path)) is { } metadata)
                {
                    list.Add(metadata);
                }
            }

            PrefetchLfsContent(repository, model, path, materializer);

            if (model.Revision.Length == 0 && TryRead(() => ThetaRepository.ReadMetadataFile(model.FullPath, path)) is { } workTree)
            {
                list.Add(workTree);
            }
        }

        foreach (var (theta, checkpoints) in wanted)
        {
            var repository = theta.Git;
            using var routed = theta.RouteLog(Detail);
            var materializer = theta.Materializer;
            var needed = checkpoints.SelectMany(c => c.Objects).Select(o => o.Oid).Distinct(StringComparer.Ordinal).Count();
            var missingBefore = checkpoints.SelectMany(materializer.MissingObjects).Select(o => o.Oid).Distinct(StringComparer.Ordinal).Count();
            IReadOnlyList<ObjectRef> still;
            try
            {
                still = materializer.Prefetch(checkpoints);
            }
            catch (ThetaException e) when (e.Code == DiagnosticIds.GitLfsMissing)
            {
                // Restore only warns: the build that needs the objects names the missing git-lfs per model.
                still = checkpoints.SelectMany(materializer.MissingObjects).DistinctBy(o => o.Oid).ToList();
            }

            if (still.Count > 0)
            {
                var fix = repository.WorkTree is { } root && !GitEnvironment.HasGitLfs(root)
                    ? $"git-lfs is not installed, so nothing can be fetched; {GitEnvironment.InstallGitLfs}"
                    : "builds that need them will fail until the remote is reachable ('git lfs env' shows it)";
                Warning(DiagnosticIds.ModelObjectMissing, $"{still.Count} of the {needed} objects the ThetaModels need could not be fetched into {repository.ObjectStore.Root} (first: {still[0].Oid}); {fix}.");
            }
            else if (missingBefore > 0)
            {
                Info($"fetched {missingBefore} object(s) for the ThetaModels in {repository.WorkTree}.");
            }
            else
            {
                Detail($"all {needed} objects of the ThetaModels are in the local store.");
            }
        }
    }

    /// <summary>A model stored by plain git-lfs (its file, or its Revision's, is a pointer): its object into git-lfs's store.</summary>
    private void PrefetchLfsContent(GitRepository repository, ThetaModelItem model, string path, CheckpointMaterializer materializer)
    {
        byte[]? pointerBytes = null;
        if (model.Revision.Length > 0)
        {
            if (materializer.ResolveCommit(model.Revision) is { } commit && materializer.Find(commit, path) is { Size: < LfsPointer.MaxBytes } blob)
            {
                pointerBytes = repository.ReadBlob(blob.BlobId, LfsPointer.MaxBytes);
            }
        }
        else if (File.Exists(model.FullPath) && new FileInfo(model.FullPath).Length < LfsPointer.MaxBytes)
        {
            pointerBytes = File.ReadAllBytes(model.FullPath);
        }

        if (pointerBytes is null || LfsPointerContent.TryParse(pointerBytes) is not { } pointer)
        {
            return;
        }

        try
        {
            if (LfsContentResolver.Prefetch(repository, path, pointer, Detail))
            {
                Info($"fetched git-lfs object {pointer.Oid} for {model.ProjectPath}.");
            }
        }
        catch (ThetaException e) when (e.Code == DiagnosticIds.ModelContentUnresolved)
        {
            // Restore warns; the build that needs the content fails with the same reason.
            Warning(DiagnosticIds.ModelContentUnresolved, $"ThetaModel '{model.ProjectPath}': {e.Message}");
        }
    }

    private static ThetaMetadata? TryRead(Func<ThetaMetadata?> read)
    {
        try
        {
            return read();
        }
        catch (ThetaException)
        {
            return null;
        }
    }
}
