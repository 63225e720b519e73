using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.TorchSharp;

/// <summary>
/// TorchSharp's <c>torch.ScalarType</c> codes as <c>Tensor.Save</c> writes them (LEB128 of the enum value), and the
/// dtype each is stored as. The codes follow libtorch's c10::ScalarType numbering.
/// </summary>
internal static class TorchSharpScalarType
{
    /// <summary>The highest code TorchSharp 0.107 defines (BFloat16); a larger one is not a TorchSharp dtype.</summary>
    public const long MaxCode = 15;

    /// <summary>The dtype of a code TorchSharp saves and git-theta stores, else null.</summary>
    public static DType? ToDType(long code) => code switch
    {
        0 => DType.U8,
        1 => DType.I8,
        2 => DType.I16,
        3 => DType.I32,
        4 => DType.I64,
        5 => DType.F16,
        6 => DType.F32,
        7 => DType.F64,
        11 => DType.BOOL,
        15 => DType.BF16,
        _ => null,
    };

    /// <summary>The TorchSharp name of a code git-theta knows but does not store (complex and quantized), else null.</summary>
    public static string? UnsupportedName(long code) => code switch
    {
        9 => "ComplexFloat32",
        10 => "ComplexFloat64",
        12 => "QInt8",
        13 => "QUInt8",
        14 => "QInt32",
        _ => null,
    };
}
