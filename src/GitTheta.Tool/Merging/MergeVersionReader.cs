using GitTheta.Core.Diagnostics;
using GitTheta.Core.Filters;
using GitTheta.Core.Git;
using GitTheta.Core.Metadata;
using GitTheta.Core.Repositories;
using GitTheta.Core.Updates;
using GitTheta.Tool.Infrastructure;

namespace GitTheta.Tool.Merging;

/// <summary>
/// Reads the three files git hands the merge driver. Normally each is git-theta metadata. A version committed before
/// the file was tracked holds the checkpoint itself; it is cleaned here as 'git add' would clean it (its groups stored
/// dense), so that groups a branch did not touch still compare equal to it and merge by themselves. A version committed
/// while the file was a git-lfs file is the checkpoint its pointer names, read as every reader reads it.
/// </summary>
internal sealed class MergeVersionReader
{
    private readonly ThetaRepository repository;
    private readonly string path;

    public MergeVersionReader(ThetaRepository repository, string path)
    {
        this.repository = repository;
        this.path = path;
    }

    /// <summary>Ours or theirs: metadata, or a checkpoint to clean; anything else is refused.</summary>
    public ThetaMetadata ReadSide(string file, string side) =>
        Read(file) ?? throw new ThetaException(DiagnosticIds.MalformedMetadata, $"{path}: {side} version is neither git-theta metadata nor a checkpoint git-theta reads; resolve with 'git checkout --ours/--theirs -- {path}'.");

    /// <summary>
    /// The ancestor, or null when the branches share no version (git passes an empty file) or the ancestor is something
    /// git-theta cannot read (a plain file, say): then every group counts as added on both sides.
    /// </summary>
    public ThetaMetadata? ReadAncestor(string file)
    {
        if (!File.Exists(file) || new FileInfo(file).Length == 0)
        {
            return null;
        }

        var metadata = Read(file);
        if (metadata is null)
        {
            CommandRunner.Warn($"{path}: the common ancestor's version is neither git-theta metadata nor a checkpoint git-theta reads; merging as if both branches added the file.");
        }

        return metadata;
    }

    private ThetaMetadata? Read(string file)
    {
        if (ThetaRepository.ReadMetadataFile(file, path) is { } metadata)
        {
            return metadata;
        }

        if (new FileInfo(file).Length < LfsPointer.MaxBytes && repository.Blobs.ReadPointer(File.ReadAllBytes(file), path) is { } fromLfs)
        {
            return fromLfs;
        }

        var format = repository.WorkTree is { } workTree ? GitAttributes.Get(workTree, path, GitAttributes.FormatAttribute) : null;
        var cleaner = new ThetaCleaner(repository.Engine with { Settings = repository.Settings with { UpdateType = DenseUpdate.TypeName } });
        try
        {
            using var input = File.OpenRead(file);
            return MetadataSerializer.Parse(cleaner.Clean(input, path, previous: null, format), path);
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.UnknownFormat or DiagnosticIds.InvalidCheckpoint or DiagnosticIds.TruncatedCheckpoint or DiagnosticIds.UnsupportedDType)
        {
            if (CommandRunner.Debug)
            {
                CommandRunner.Log($"{path}: {e.Message}");
            }

            return null;
        }
    }
}
