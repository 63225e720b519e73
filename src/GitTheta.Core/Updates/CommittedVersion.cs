using GitTheta.Core.Metadata;

namespace GitTheta.Core.Updates;

/// <summary>
/// The last committed version of a checkpoint (HEAD's), which incremental updates of a clean build on: an update
/// always describes the change since the last commit, never since a value that was only staged.
/// </summary>
internal sealed record CommittedVersion(string Commit, ThetaMetadata Metadata);
