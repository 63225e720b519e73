using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Diffing;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Repositories;

/// <summary>
/// Finds the two versions a diff compares: blobs by id (what git's diff driver is handed), files (metadata, or a
/// checkpoint hashed in memory), <c>rev:path</c> and <c>:path</c> (the index), and opens their values for --stat.
/// Nothing here writes to the object store.
/// </summary>
internal sealed class DiffSideReader
{
    private readonly ThetaRepository? repository;

    /// <param name="repository">The repository the diff runs in (its engine: store, settings, fetcher); null outside one (files only, settings from the environment).</param>
    public DiffSideReader(ThetaRepository? repository)
    {
        this.repository = repository;
    }

    /// <summary>The repository's engine; outside one, settings from the environment, a store nothing is written to, and no fetcher.</summary>
    private ThetaEngine Engine => repository?.Engine ?? new ThetaEngine(
        new LfsObjectStore(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "git-theta-diff-unused")),
        ThetaSettings.Load(_ => null),
        null);

    /// <summary>
    /// The side as git stores it, read by blob id: metadata even where git handed over a smudged file. Null when
    /// <paramref name="hex"/> is no blob id (all zeros: the working file) or the blob is not metadata.
    /// </summary>
    public DiffSide? FromBlobId(string hex, string path)
    {
        if (repository is null || hex.Length < 40 || hex.Trim('0').Length == 0 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return repository.ReadMetadata(hex, path) is { } metadata ? new DiffSide(path, metadata) : null;
    }

    /// <summary>
    /// A file: missing or /dev/null is an empty side, metadata is used as it is, anything else is a checkpoint, cleaned
    /// in memory against <paramref name="previous"/> so unchanged groups keep their entries.
    /// </summary>
    public DiffSide FromFile(string file, string path, ThetaMetadata? previous)
    {
        if (file is "/dev/null" or "nul" || !File.Exists(file))
        {
            return new DiffSide(path, null);
        }

        if (ThetaRepository.ReadMetadataFile(file, path) is { } metadata)
        {
            return new DiffSide(path, metadata);
        }

        using var stream = File.OpenRead(file);
        var cleaner = new ThetaCleaner(Engine);
        var cleaned = cleaner.Clean(stream, path, previous, FormatAttribute(path), dryRun: true);
        return new DiffSide(path, MetadataSerializer.Parse(cleaned, path)) { CheckpointFile = file };
    }

    /// <summary>
    /// A side named on the command line: <c>rev:path</c> (a committed version), <c>:path</c> (the staged one) or a file.
    /// A name that exists as a file is a file, so a file name with a colon in it still works.
    /// </summary>
    public DiffSide FromSpecification(string specification, ThetaMetadata? previous)
    {
        var colon = specification.IndexOf(':', StringComparison.Ordinal);
        if (repository is null || colon < 0 || File.Exists(specification) || IsDrivePath(specification))
        {
            return FromFile(specification, specification, previous);
        }

        var path = RevisionPath.GitPath(specification[(colon + 1)..], repository.Git.RelativePath);
        if (colon == 0)
        {
            return FromIndex(path) is { Metadata: not null } staged
                ? staged
                : throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' is not in the index; stage it first, or name a revision ('HEAD:{path}').");
        }

        var revision = specification[..colon];
        return FromRevision(revision, path) is { Metadata: not null } side
            ? side
            : throw new ThetaException(DiagnosticIds.InvalidArguments, $"'{path}' does not exist in '{revision}'; 'git ls-tree -r --name-only {revision}' lists its files.");
    }

    /// <summary>The staged version of <paramref name="relativePath"/>; an empty side when nothing is staged for it.</summary>
    public DiffSide FromIndex(string relativePath)
    {
        var staged = RequireRepository(":" + relativePath).Git.IndexBlobId(relativePath);
        return new DiffSide(relativePath, staged is null ? null : ParseStored(staged, ":" + relativePath, relativePath));
    }

    /// <summary>The version of <paramref name="relativePath"/> in a revision; an empty side when the revision has no such file.</summary>
    public DiffSide FromRevision(string revision, string relativePath)
    {
        var repo = RequireRepository($"{revision}:{relativePath}");
        var commit = repo.Git.ResolveCommit(revision)
            ?? throw new ThetaException(DiagnosticIds.InvalidArguments, $"unknown revision '{revision}'.");
        if (repo.Git.FindBlob(commit, relativePath) is not { } blob)
        {
            return new DiffSide(relativePath, null) { Revision = revision };
        }

        return new DiffSide(relativePath, ParseStored(blob.BlobId, $"{revision}:{relativePath}", relativePath)) { Revision = revision };
    }

    /// <summary>The working file of <paramref name="relativePath"/>, compared with <paramref name="previous"/>.</summary>
    public DiffSide FromWorkingFile(string relativePath, ThetaMetadata? previous)
    {
        var repo = RequireRepository(relativePath);
        var workTree = repo.WorkTree ?? throw new ThetaException(DiagnosticIds.NotAGitRepository, "comparing with the working file needs a work tree, but the repository is bare; name two revisions.");
        return FromFile(System.IO.Path.Combine(workTree, relativePath), relativePath, previous);
    }

    /// <summary>A path given on the command line (relative to the current directory), as the repository names it.</summary>
    public string RelativePath(string path) => RequireRepository(path).Git.RelativePath(path);

    /// <summary>Where the values of a side's changed groups come from: its checkpoint file, else the object store.</summary>
    public IGroupValueSource OpenValues(DiffSide side)
    {
        if (side.CheckpointFile is { } file)
        {
            return new CheckpointFileValues(file, side.Path, Engine.Formats.Get(side.Metadata!.CheckpointType, side.Path));
        }

        return new StoredGroupValues(Engine, side.Path, side.Revision);
    }

    private ThetaMetadata ParseStored(string blobId, string specification, string path) =>
        repository!.ReadMetadata(blobId, path)
        ?? throw new ThetaException(DiagnosticIds.PathNotTracked, $"'{specification}' is not git-theta metadata; only checkpoints tracked with 'git theta track {path}' can be compared.");

    private static bool IsDrivePath(string specification) =>
        specification.Length >= 3 && char.IsAsciiLetter(specification[0]) && specification[1] == ':' && specification[2] is '\\' or '/';

    private ThetaRepository RequireRepository(string what) =>
        repository ?? throw new ThetaException(DiagnosticIds.NotAGitRepository, $"'{what}' names a version git stores, but the diff does not run inside a git repository.");

    /// <summary>The theta-format attribute when the file is inside the work tree; none for files elsewhere.</summary>
    private string? FormatAttribute(string path)
    {
        if (repository?.WorkTree is not { } root)
        {
            return null;
        }

        try
        {
            return GitAttributes.Get(root, repository.Git.RelativePath(path), GitAttributes.FormatAttribute);
        }
        catch (ThetaException)
        {
            return null;
        }
    }
}
