using GitTheta.Core.Metadata;

namespace GitTheta.Core.Updates;

/// <summary>What squashing a checkpoint's chains did: the new metadata, how many groups were rewritten, and the deepest chain there was.</summary>
internal sealed record SquashResult(ThetaMetadata Metadata, int Rewritten, int DeepestChain);
