namespace GitTheta.Core.Tensors;

/// <summary>Every element type a safetensors file can hold; names match the safetensors spelling.</summary>
public enum DType
{
    /// <summary>64-bit IEEE float.</summary>
    F64,
    /// <summary>32-bit IEEE float.</summary>
    F32,
    /// <summary>16-bit IEEE float (half).</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of an F32.</summary>
    BF16,
    /// <summary>8-bit float, 4 exponent and 3 mantissa bits.</summary>
    F8_E4M3,
    /// <summary>8-bit float, 5 exponent and 2 mantissa bits.</summary>
    F8_E5M2,
    /// <summary>64-bit signed integer.</summary>
    I64,
    /// <summary>32-bit signed integer.</summary>
    I32,
    /// <summary>16-bit signed integer.</summary>
    I16,
    /// <summary>8-bit signed integer.</summary>
    I8,
    /// <summary>64-bit unsigned integer.</summary>
    U64,
    /// <summary>32-bit unsigned integer.</summary>
    U32,
    /// <summary>16-bit unsigned integer.</summary>
    U16,
    /// <summary>8-bit unsigned integer (also the raw blocks of quantized GGUF tensors).</summary>
    U8,
    /// <summary>Boolean, one byte per element.</summary>
    BOOL,
}
