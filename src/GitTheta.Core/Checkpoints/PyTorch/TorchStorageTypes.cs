using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>The <c>torch.*Storage</c> classes a state dict's pickle names, and the dtype each holds.</summary>
internal static class TorchStorageTypes
{
    private static readonly Dictionary<string, DType> Supported = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = DType.F64,
        ["FloatStorage"] = DType.F32,
        ["HalfStorage"] = DType.F16,
        ["BFloat16Storage"] = DType.BF16,
        ["LongStorage"] = DType.I64,
        ["IntStorage"] = DType.I32,
        ["ShortStorage"] = DType.I16,
        ["CharStorage"] = DType.I8,
        ["ByteStorage"] = DType.U8,
        ["BoolStorage"] = DType.BOOL,
        ["Float8_e4m3fnStorage"] = DType.F8_E4M3,
        ["Float8_e5m2Storage"] = DType.F8_E5M2,
        ["UInt16Storage"] = DType.U16,
        ["UInt32Storage"] = DType.U32,
        ["UInt64Storage"] = DType.U64,

        // A bare torch.UntypedStorage is saved with its size in bytes.
        ["UntypedStorage"] = DType.U8,
    };

    /// <summary>Storage classes PyTorch has whose elements git-theta has no dtype for (complex, quantized).</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "ComplexFloatStorage", "ComplexDoubleStorage", "ComplexHalfStorage", "QInt8Storage", "QUInt8Storage",
        "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage", "Float8_e4m3fnuzStorage", "Float8_e5m2fnuzStorage",
    };

    public static bool TryGet(string name, out DType dtype) => Supported.TryGetValue(name, out dtype);

    public static bool IsKnownUnsupported(string name) => Unsupported.Contains(name);
}
