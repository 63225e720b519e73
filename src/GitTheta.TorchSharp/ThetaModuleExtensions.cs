using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;
using static TorchSharp.torch;

namespace GitTheta.TorchSharp;

/// <summary>
/// Loads a torch.nn.Module from a checkpoint versioned with git-theta, as it was at any revision, and saves a module
/// into a tracked checkpoint. Works for every format git-theta tracks whose group names are the module's state-dict
/// keys: TorchSharp's own <c>Module.save</c> files, and safetensors files with the same names.
/// </summary>
public static class ThetaModuleExtensions
{
    /// <summary>
    /// Sets every parameter and buffer of <paramref name="module"/> that the checkpoint has a group of the same name
    /// for to that group's value at <paramref name="revision"/>, read from the git-theta object store (every byte
    /// checked against its SHA-256; objects missing locally are fetched through git-lfs). Nothing in the repository
    /// or the work tree is changed.
    /// </summary>
    /// <param name="repositoryPath">Any folder inside the repository's work tree.</param>
    /// <param name="checkpointPath">The tracked checkpoint, relative to the work tree's root (or absolute inside it).</param>
    /// <param name="revision">Anything git accepts (a tag, a branch, <c>HEAD~2</c>); null means HEAD.</param>
    /// <param name="strict">
    /// When true (TorchSharp's <c>Module.load</c> default), any missing or unexpected entry is an error (GT2035) and
    /// the module is left unchanged; when false they are reported in the result.
    /// </param>
    /// <exception cref="ThetaException">
    /// GT2034 when a group's dtype or shape does not fit the module's tensor; GT2035 for a strict load that does not
    /// match; the library's codes (GT2001, GT2020, GT2021, GT2007, GT2008, ...) for the repository and its objects.
    /// </exception>
    public static ThetaLoadResult LoadThetaRevision(this nn.Module module, string repositoryPath, string checkpointPath, string? revision = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var repository = ThetaRepository.Open(repositoryPath);
        return module.LoadThetaRevision(repository, checkpointPath, revision, strict);
    }

    /// <inheritdoc cref="LoadThetaRevision(nn.Module, string, string, string?, bool)"/>
    /// <param name="repository">An open repository, for loading several checkpoints or revisions.</param>
    public static ThetaLoadResult LoadThetaRevision(this nn.Module module, ThetaRepository repository, string checkpointPath, string? revision = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(repository);
        var checkpoint = repository.OpenCheckpoint(checkpointPath, revision);
        var where = $"{checkpoint.Path}@{checkpoint.Revision}";
        var groups = checkpoint.Groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        var state = module.state_dict();
        var loaded = new List<string>();
        var missing = new List<string>();
        foreach (var (name, tensor) in state)
        {
            if (!groups.TryGetValue(name, out var group))
            {
                missing.Add(name);
                continue;
            }

            // Every fit is checked before any value is written, so a refused load leaves the module as it was.
            var scalarType = ScalarTypes.Of(group.DType) ?? throw ScalarTypes.NoScalarType(where, name, group.DType);
            if (scalarType != tensor.dtype || !group.Shape.SequenceEqual(tensor.shape))
            {
                throw new ThetaException(
                    DiagnosticIds.ModuleGroupMismatch,
                    $"{where}: group '{name}' is {group.DType} [{string.Join(", ", group.Shape)}] but the module's '{name}' is {tensor.dtype} [{string.Join(", ", tensor.shape)}]; load it into the module the checkpoint was saved from.");
            }

            loaded.Add(name);
        }

        var unexpected = checkpoint.Groups.Select(g => g.Name).Where(n => !state.ContainsKey(n)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            throw new ThetaException(
                DiagnosticIds.ModuleStateMismatch,
                $"{where}: the checkpoint does not match the module: missing {Names(missing)}, unexpected {Names(unexpected)}; pass strict: false to load the entries that match.");
        }

        using (no_grad())
        {
            foreach (var name in loaded)
            {
                Copy(checkpoint, name, state[name]);
            }
        }

        return new ThetaLoadResult(loaded, missing, unexpected, checkpoint.Commit ?? string.Empty);
    }

    /// <summary>
    /// Writes <paramref name="module"/> with TorchSharp's <c>Module.save</c> to <paramref name="checkpointPath"/> in the
    /// work tree (replacing the file atomically), so that the next <c>git add</c> of a path tracked by git-theta
    /// stores only the groups whose values changed. Returns the full path written.
    /// </summary>
    /// <param name="repositoryPath">Any folder inside the repository's work tree.</param>
    /// <param name="checkpointPath">The checkpoint's path, relative to the work tree's root (or absolute inside it).</param>
    /// <exception cref="ThetaException">GT2001 outside a repository; GT2010 for a path outside the work tree.</exception>
    public static string SaveThetaCheckpoint(this nn.Module module, string repositoryPath, string checkpointPath)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var repository = ThetaRepository.Open(repositoryPath);
        var workTree = repository.WorkTree ?? throw new ThetaException(DiagnosticIds.InvalidArguments, $"{repositoryPath}: the repository has no work tree to save '{checkpointPath}' into.");
        var full = Path.GetFullPath(Path.Combine(workTree, checkpointPath));
        var relative = Path.GetRelativePath(workTree, full);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ThetaException(DiagnosticIds.InvalidArguments, $"{checkpointPath}: the path is outside the work tree {workTree}; give a path inside the repository.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".saving-" + Environment.ProcessId;
        try
        {
            module.save(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return full;
    }

    private static void Copy(ThetaCheckpoint checkpoint, string name, Tensor target)
    {
        if (target.device_type == global::TorchSharp.DeviceType.CPU && target.is_contiguous())
        {
            checkpoint.ReadTensor(name, target.bytes);
            return;
        }

        using var staging = empty(target.shape, target.dtype, CPU);
        checkpoint.ReadTensor(name, staging.bytes);
        target.copy_(staging);
    }

    private static string Names(List<string> names) => names.Count == 0 ? "none" : string.Join(", ", names.Take(10).Select(n => $"'{n}'")) + (names.Count > 10 ? $" and {names.Count - 10} more" : string.Empty);
}
