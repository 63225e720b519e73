using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Tensors;

internal static class DTypes
{
    public static int SizeOf(DType dtype) => dtype switch
    {
        DType.F64 or DType.I64 or DType.U64 => 8,
        DType.F32 or DType.I32 or DType.U32 => 4,
        DType.F16 or DType.BF16 or DType.I16 or DType.U16 => 2,
        DType.F8_E4M3 or DType.F8_E5M2 or DType.I8 or DType.U8 or DType.BOOL => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static bool IsFloatingPoint(DType dtype) =>
        dtype is DType.F64 or DType.F32 or DType.F16 or DType.BF16 or DType.F8_E4M3 or DType.F8_E5M2;

    public static string Name(DType dtype) => dtype.ToString();

    public static bool TryParse(string? name, out DType dtype)
    {
        dtype = default;
        if (name is null || name.Length == 0 || !char.IsAsciiLetterUpper(name[0]))
        {
            return false;
        }

        // Enum.TryParse also accepts flag lists ("F32,I8") and padding; only the exact spelling is a dtype.
        return Enum.TryParse(name, ignoreCase: false, out dtype) && Enum.IsDefined(dtype) && Name(dtype) == name;
    }

    public static DType Parse(string? name, string where)
    {
        if (!TryParse(name, out var dtype))
        {
            throw new ThetaException(
                DiagnosticIds.UnsupportedDType,
                $"{where}: unsupported dtype '{name}'. Supported: {string.Join(", ", Enum.GetNames<DType>())}.");
        }

        return dtype;
    }
}
