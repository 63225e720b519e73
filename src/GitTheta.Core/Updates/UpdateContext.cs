using GitTheta.Core.Configuration;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>What an update type may use: the object store, the objects staged by this clean, and the settings.</summary>
public sealed class UpdateContext
{
    public UpdateContext(LfsObjectStore store, ObjectTransaction transaction, ThetaSettings settings, string path)
    {
        Store = store;
        Transaction = transaction;
        Settings = settings;
        Path = path;
    }

    public LfsObjectStore Store { get; }

    public ObjectTransaction Transaction { get; }

    public ThetaSettings Settings { get; }

    /// <summary>The checkpoint's repository-relative path, for messages.</summary>
    public string Path { get; }

    /// <summary>The update types a chain's links are looked up in.</summary>
    public UpdateTypeRegistry Updates { get; init; } = UpdateTypeRegistry.Default;

    /// <summary>Values rebuilt from update chains, kept for the life of one filter process; null keeps none.</summary>
    public MaterializedValueCache? Cache { get; init; }

    /// <summary>Downloads chain objects missing from the local store; null when there is no remote to ask.</summary>
    public IObjectFetcher? Fetcher { get; init; }
}
