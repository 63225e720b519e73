using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Storage;

namespace GitTheta.Core.Updates;

/// <summary>
/// What the filters, the merger, the squasher and the diff readers take from the engine, in one object: the object
/// store, the settings, the fetcher of missing objects, and the registries of checkpoint formats and update types.
/// <see cref="Repositories.ThetaRepository"/> builds it once per repository; tests build their own, with registries of
/// their own through the init-only properties.
/// </summary>
/// <param name="Store">The local git-lfs object store.</param>
/// <param name="Settings">The settings (environment and git config) the engine runs with.</param>
/// <param name="Fetcher">Downloads objects missing from the store; null when there is nowhere to fetch from.</param>
internal sealed record ThetaEngine(LfsObjectStore Store, ThetaSettings Settings, IObjectFetcher? Fetcher)
{
    /// <summary>The checkpoint formats the engine reads and writes.</summary>
    public CheckpointFormatRegistry Formats { get; init; } = CheckpointFormatRegistry.Default;

    /// <summary>The update types the engine stores and replays.</summary>
    public UpdateTypeRegistry Updates { get; init; } = UpdateTypeRegistry.Default;
}
