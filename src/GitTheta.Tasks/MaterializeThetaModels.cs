using System.Diagnostics;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Repositories;
using Microsoft.Build.Framework;

namespace GitTheta.Tasks;

/// <summary>
/// Writes the checkpoints of resolved models whose bytes are not in the work tree (pinned to a Revision, or checked out
/// as metadata) into obj/, from the LFS store, fetching missing objects through git-lfs. MSBuild hands this task only
/// the models whose stamp is newer than their materialized file; each is written to a temp file and renamed.
/// </summary>
public sealed class MaterializeThetaModels : ThetaTask
{
    /// <summary>The materialized files to write, with the metadata of <see cref="ResolveThetaModels"/>'s output.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Output]
    public ITaskItem[] MaterializedModels { get; private set; } = Array.Empty<ITaskItem>();

    protected override void Run()
    {
        var written = new List<ITaskItem>();
        foreach (var item in Models)
        {
            if (Materialize(item))
            {
                written.Add(item);
            }
        }

        MaterializedModels = written.ToArray();
    }

    private bool Materialize(ITaskItem item)
    {
        var destination = item.GetMetadata("FullPath");
        var modelFile = item.GetMetadata(ModelMetadata.ModelFile);
        var projectPath = item.GetMetadata(ModelMetadata.ProjectPath);
        var repositoryPath = item.GetMetadata(ModelMetadata.RepositoryPath);
        var source = item.GetMetadata(ModelMetadata.Source);
        var revision = item.GetMetadata(ModelMetadata.Revision);
        var what = (revision.Length > 0, source == ModelSource.LfsPointer) switch
        {
            (true, _) => $"{projectPath} as of {revision}",
            (false, true) => $"{projectPath} from its git-lfs pointer",
            _ => $"{projectPath} from its git-theta metadata",
        };
        var model = revision.Length > 0 ? $"ThetaModel '{projectPath}' (Revision '{revision}')" : $"ThetaModel '{projectPath}'";
        var theta = FindRepository(modelFile);
        if (theta is null)
        {
            Error(DiagnosticIds.ModelNotInRepository, $"{model} is no longer inside a git repository; build again.");
            return false;
        }

        using var exclusive = CrossProcessLock.Acquire(destination, TimeSpan.FromMinutes(30));
        if (UpToDate(destination, item.GetMetadata(ModelMetadata.StampFile)))
        {
            Detail($"{what} was materialized by a parallel build.");
            return false;
        }

        var repository = theta.Git;
        using var routed = theta.RouteLog(Detail);
        var materializer = theta.Materializer;
        var clock = Stopwatch.StartNew();
        try
        {
            if (source == ModelSource.LfsPointer)
            {
                var pointer = new LfsPointerContent(item.GetMetadata(ModelMetadata.LfsOid), long.Parse(item.GetMetadata(ModelMetadata.LfsSize), System.Globalization.CultureInfo.InvariantCulture));
                LfsContentResolver.Resolve(repository, repositoryPath, pointer, destination, Detail);
            }
            else if (source == ModelSource.Revision)
            {
                var commit = item.GetMetadata(ModelMetadata.Commit);
                if (materializer.Find(commit, repositoryPath) is not { } blob)
                {
                    Error(DiagnosticIds.ModelFileMissing, $"{model} is not in commit {commit} as '{repositoryPath}' any more; build again.");
                    return false;
                }

                materializer.Materialize(blob, repositoryPath, destination);
            }
            else
            {
                materializer.Materialize(File.ReadAllBytes(modelFile), repositoryPath, destination);
            }
        }
        catch (ThetaException e) when (e.Code == DiagnosticIds.ModelContentUnresolved)
        {
            Error(DiagnosticIds.ModelContentUnresolved, $"{model}: {e.Message}");
            return false;
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.MissingObject or DiagnosticIds.GitLfsMissing)
        {
            // The engine's advice (make the remote reachable) is wrong when git-lfs itself is missing: say that instead.
            var message = repository.WorkTree is { } root && !GitEnvironment.HasGitLfs(root)
                ? $"its parameter objects are not in the local store ({repository.ObjectStore.Root}) and git-lfs is not installed, so they cannot be fetched; {GitEnvironment.InstallGitLfs}."
                : $"{e.Message} With the remote reachable, building again fetches it.";
            Error(DiagnosticIds.ModelObjectMissing, $"{model}: {message}");
            return false;
        }
        catch (ThetaException e)
        {
            Error(DiagnosticIds.ModelMaterializationFailed, $"{model}: {e.Message} ({e.Code})");
            return false;
        }

        var bytes = new FileInfo(destination).Length;
        Info($"materialized {what} ({bytes:N0} bytes) into {Path.GetRelativePath(Environment.CurrentDirectory, destination)} in {clock.Elapsed.TotalSeconds:0.0} s.");
        return true;
    }

    private static bool UpToDate(string destination, string stamp) =>
        File.Exists(destination) && File.Exists(stamp) && File.GetLastWriteTimeUtc(destination) >= File.GetLastWriteTimeUtc(stamp);
}
