using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Safetensors;

/// <summary>One tensor of a safetensors header: what it is and where its bytes lie in the data section.</summary>
internal sealed record SafetensorsEntry(TensorInfo Info, long Begin, long End);
