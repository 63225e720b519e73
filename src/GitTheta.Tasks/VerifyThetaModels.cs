using System.Diagnostics;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>
/// Checks every published model against its git-theta metadata (GitThetaVerify=true): the checkpoint is rebuilt from
/// the stored objects and compared with the published file as it streams, so any difference, down to one byte, fails.
/// </summary>
public sealed class VerifyThetaModels : ThetaTask
{
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string PublishDirectory { get; set; } = string.Empty;

    protected override void Run()
    {
        foreach (var item in Models)
        {
            if (string.Equals(item.GetMetadata(ModelMetadata.CopyToPublishDirectory), "Never", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Verify(item);
        }
    }

    private void Verify(ITaskItem item)
    {
        var projectPath = item.GetMetadata(ModelMetadata.ProjectPath);
        var published = Path.GetFullPath(Path.Combine(PublishDirectory, item.GetMetadata(ModelMetadata.TargetPath)));
        if (!File.Exists(published))
        {
            Error(DiagnosticIds.ModelVerificationFailed, $"ThetaModel '{projectPath}' is not in the publish folder at {published}; publish again.");
            return;
        }

        if (item.GetMetadata(ModelMetadata.Source) == ModelSource.LfsPointer)
        {
            VerifyLfsContent(item, projectPath, published);
            return;
        }

        var repository = FindRepository(item.GetMetadata(ModelMetadata.ModelFile));
        var path = item.GetMetadata(ModelMetadata.RepositoryPath);
        var metadataOid = item.GetMetadata(ModelMetadata.MetadataOid);
        if (repository is null || metadataOid.Length == 0)
        {
            Warning(DiagnosticIds.ModelVerificationFailed, $"ThetaModel '{projectPath}' has no git-theta metadata to verify against (it is not committed with git-theta); published as it is.");
            return;
        }

        using var routed = repository.RouteLog(Detail);
        var materializer = repository.Materializer;
        try
        {
            var metadata = item.GetMetadata(ModelMetadata.Source) == ModelSource.WorkTreeMetadata
                ? ThetaRepository.ReadMetadataFile(item.GetMetadata(ModelMetadata.ModelFile), path)
                    ?? throw new ThetaException(DiagnosticIds.ModelVerificationFailed, $"{path}: the working file is no longer git-theta metadata (it changed during the build); build again.")
                : materializer.ReadMetadata(metadataOid, path);
            if (metadata is null)
            {
                Warning(DiagnosticIds.ModelVerificationFailed, $"ThetaModel '{projectPath}' is stored by git as a plain file, not git-theta metadata, so there is nothing to verify it against; published as it is.");
                return;
            }

            var clock = Stopwatch.StartNew();
            materializer.Verify(metadata, path, published);
            Info($"verified {item.GetMetadata(ModelMetadata.TargetPath)} in the publish folder against its metadata ({metadata.Parameters.Count} parameter groups) in {clock.Elapsed.TotalSeconds:0.0} s.");
        }
        catch (ThetaException e) when (e.Code == DiagnosticIds.MissingObject)
        {
            Error(DiagnosticIds.ModelObjectMissing, $"ThetaModel '{projectPath}' cannot be verified: {e.Message}");
        }
        catch (ThetaException e)
        {
            Error(DiagnosticIds.ModelVerificationFailed, $"ThetaModel '{projectPath}' failed verification: {e.Message}");
        }
    }

    /// <summary>A model that a git-lfs pointer stands for is verified against the pointer's SHA-256 and size.</summary>
    private void VerifyLfsContent(ITaskItem item, string projectPath, string published)
    {
        var oid = item.GetMetadata(ModelMetadata.LfsOid);
        using var stream = new FileStream(published, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var actual = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream)).ToLowerInvariant();
        if (actual != oid || stream.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) != item.GetMetadata(ModelMetadata.LfsSize))
        {
            Error(DiagnosticIds.ModelVerificationFailed, $"ThetaModel '{projectPath}' failed verification: the published file has SHA-256 {actual} ({stream.Length} bytes), not git-lfs object {oid}; publish again.");
            return;
        }

        Info($"verified {item.GetMetadata(ModelMetadata.TargetPath)} in the publish folder against its git-lfs object.");
    }
}
