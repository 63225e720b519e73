using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;

namespace GitTheta.Core.Repositories;

/// <summary>
/// What <c>git theta status</c> reports for each tracked checkpoint. Which files changed comes from git itself
/// (<see cref="GitStatusEntry"/>), so it costs what <c>git status</c> costs; staged changes are counted per group from
/// HEAD's and the index's metadata blobs, and missing objects with one file lookup each. Nothing is smudged and no
/// object is read. Only when asked are modified working files hashed (a dry-run clean, as <c>git diff</c> does) to
/// count their changed groups.
/// </summary>
internal sealed class CheckpointStatusReader
{
    private readonly ThetaRepository repository;
    private readonly string workTree;
    private readonly DiffSideReader workingFiles;

    public CheckpointStatusReader(ThetaRepository repository)
    {
        this.repository = repository;
        workTree = repository.WorkTree ?? throw new ThetaException(DiagnosticIds.NotAGitRepository, "status needs a work tree, but the repository is bare.");
        workingFiles = new DiffSideReader(repository);
    }

    /// <param name="pathspecs">Repository-relative pathspecs; none means every tracked checkpoint.</param>
    /// <param name="countWorkingGroups">Also count the changed groups of modified working files (reads each in full).</param>
    /// <returns>Every tracked checkpoint the pathspecs select, changed or not, sorted by path (ordinal).</returns>
    public IReadOnlyList<CheckpointStatus> Read(IReadOnlyList<string> pathspecs, bool countWorkingGroups)
    {
        var staged = IndexEntry.List(workTree, pathspecs).Where(e => e.Stage == 0).ToDictionary(e => e.Path, e => e.BlobId, StringComparer.Ordinal);
        var changes = GitStatusEntry.Read(workTree, pathspecs).ToDictionary(e => e.Path, StringComparer.Ordinal);

        // Paths only in git status's report are unmerged or deleted from the index; they are tracked checkpoints too.
        var candidates = staged.Keys.Union(changes.Keys, StringComparer.Ordinal).ToList();
        var tracked = TrackedCheckpoints.Select(workTree, candidates);
        return candidates.Where(tracked.Contains)
            .Order(StringComparer.Ordinal)
            .Select(path => Describe(path, staged.GetValueOrDefault(path), changes.GetValueOrDefault(path), countWorkingGroups))
            .ToList();
    }

    private CheckpointStatus Describe(string path, string? stagedBlob, GitStatusEntry? change, bool countWorkingGroups)
    {
        var stagedMetadata = stagedBlob is null ? null : repository.ReadMetadata(stagedBlob, path);
        var status = new CheckpointStatus(path)
        {
            Code = change is null ? "  " : $"{Letter(change.Staged)}{Letter(change.NotStaged)}",
            Staged = change?.StagedChange ?? FileChange.Unchanged,
            NotStaged = change?.NotStagedChange ?? FileChange.Unchanged,
            StagedAsPlainFile = stagedBlob is not null && stagedMetadata is null,
            MetadataInWorkTree = WorkingFileIsMetadata(path),
        };

        if (stagedMetadata is null)
        {
            return status;
        }

        var objects = stagedMetadata.Objects.DistinctBy(o => o.Oid).ToList();
        status = status with
        {
            ObjectsNeeded = objects.Count,
            ObjectsMissing = objects.Count(o => !repository.Store.Contains(o)),
        };

        if (status.Staged is FileChange.Added or FileChange.Modified or FileChange.TypeChanged)
        {
            var head = change!.HeadBlob is { } headBlob ? repository.ReadMetadata(headBlob, path) : null;
            status = status with { StagedGroups = MetadataDiff.Compare(head, stagedMetadata) };
        }

        if (countWorkingGroups && status.NotStaged == FileChange.Modified)
        {
            status = status with { NotStagedGroups = MetadataDiff.Compare(stagedMetadata, workingFiles.FromWorkingFile(path, stagedMetadata).Metadata) };
        }

        return status;
    }

    /// <summary>git status --short prints a space where porcelain v2 prints '.'.</summary>
    private static char Letter(char porcelain) => porcelain == '.' ? ' ' : porcelain;

    /// <summary>
    /// Whether the working file is metadata (checked out where the filter was not configured) rather than a checkpoint.
    /// No checkpoint format starts with '{' and the metadata marker, so the first bytes decide.
    /// </summary>
    private bool WorkingFileIsMetadata(string path)
    {
        var file = new FileInfo(Path.Combine(workTree, path));
        if (!file.Exists || file.Length > MetadataSerializer.MaxMetadataBytes)
        {
            return false;
        }

        return ThetaRepository.IsMetadata(file.FullName);
    }
}
