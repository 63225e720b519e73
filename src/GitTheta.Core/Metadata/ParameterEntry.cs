using GitTheta.Core.Storage;

namespace GitTheta.Core.Metadata;

/// <summary>One parameter group in theta metadata.</summary>
public sealed record ParameterEntry(TensorDescription Tensor, ObjectRef Object, UpdateDescription Update);
