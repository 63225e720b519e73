namespace GitTheta.Core.Tensors;

/// <summary>Every element type a safetensors file can hold; names match the safetensors spelling.</summary>
public enum DType
{
    F64,
    F32,
    F16,
    BF16,
    F8_E4M3,
    F8_E5M2,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
    BOOL,
}
