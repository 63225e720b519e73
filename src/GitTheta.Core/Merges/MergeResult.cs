using GitTheta.Core.Metadata;

namespace GitTheta.Core.Merges;

/// <summary>The merged metadata, and how each group got there.</summary>
/// <param name="ContainerSource">The version whose container was reused, or null when a new one was laid out.</param>
internal sealed record MergeResult(ThetaMetadata Metadata, IReadOnlyList<GroupMergeRecord> Groups, MergeSide? ContainerSource);
