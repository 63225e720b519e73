using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values and the dtype each is stored as.</summary>
internal static class OnnxDataTypes
{
    public const int Float = 1;
    public const int Double = 11;

    private static readonly Dictionary<long, DType> Map = new()
    {
        [1] = DType.F32,
        [2] = DType.U8,
        [3] = DType.I8,
        [4] = DType.U16,
        [5] = DType.I16,
        [6] = DType.I32,
        [7] = DType.I64,
        [9] = DType.BOOL,
        [10] = DType.F16,
        [11] = DType.F64,
        [12] = DType.U32,
        [13] = DType.U64,
        [16] = DType.BF16,
        [17] = DType.F8_E4M3,
        [19] = DType.F8_E5M2,
    };

    /// <summary>False for types git-theta has no dtype for (string, complex, the FNUZ float8s, 4-bit types); those stay in the container.</summary>
    public static bool TryGet(long dataType, out DType dtype) => Map.TryGetValue(dataType, out dtype);
}
