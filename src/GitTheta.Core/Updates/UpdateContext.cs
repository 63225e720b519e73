using GitTheta.Core.Configuration;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>
/// What an update type may use to rebuild a value: the object store (read, verified), the settings, the chain's
/// update types, a cache and a fetcher. It holds no transaction, so checkout, diff and merge reads write nothing;
/// storing a value needs a <see cref="StagingContext"/>.
/// </summary>
internal class UpdateContext
{
    /// <param name="store">The local object store the values are read from.</param>
    /// <param name="settings">The settings in force.</param>
    /// <param name="path">The checkpoint's repository-relative path, for messages.</param>
    public UpdateContext(LfsObjectStore store, ThetaSettings settings, string path)
    {
        Store = store;
        Settings = settings;
        Path = path;
    }

    /// <summary>The local object store; rebuilding a value only reads from it (and fetches missing objects into it).</summary>
    public LfsObjectStore Store { get; }

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
