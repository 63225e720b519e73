namespace GitTheta.TorchSharp;

/// <summary>What <c>module.LoadThetaRevision(...)</c> (<see cref="ThetaModuleExtensions"/>) did, like PyTorch's <c>load_state_dict</c> result.</summary>
public sealed class ThetaLoadResult
{
    internal ThetaLoadResult(IReadOnlyList<string> loaded, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, string commit)
    {
        Loaded = loaded;
        Missing = missing;
        Unexpected = unexpected;
        Commit = commit;
    }

    /// <summary>State-dict entries of the module that were set from the checkpoint, in the module's order.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>State-dict entries of the module that the checkpoint has no group for (left as they were).</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Groups of the checkpoint that the module has no entry for (ignored).</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>The commit the revision resolved to (empty for the staged version).</summary>
    public string Commit { get; }
}
