using GitTheta.Core.Diagnostics;
using static TorchSharp.torch;

namespace GitTheta.TorchSharp;

/// <summary>The TorchSharp scalar type of a group's dtype (safetensors spelling, as <c>ThetaGroup.DType</c> gives it).</summary>
internal static class ScalarTypes
{
    public static ScalarType? Of(string dtype) => dtype switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    public static ThetaException NoScalarType(string checkpoint, string name, string dtype) =>
        new(DiagnosticIds.ModuleGroupMismatch, $"{checkpoint}: group '{name}' is {dtype}, which TorchSharp has no tensor type for; load it with ThetaCheckpoint.ReadTensor instead.");
}
