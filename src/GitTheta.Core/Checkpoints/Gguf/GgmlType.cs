using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.Gguf;

/// <summary>
/// A GGML tensor type: its id in a GGUF file, how many elements one block holds and how many bytes it
/// takes. Float and integer types map to a dtype; quantized types have none and are stored as their raw
/// blocks (U8), so they are compared exactly, never by LSH on meaningless byte values.
/// </summary>
internal sealed record GgmlType(int Id, string Name, int BlockSize, int TypeSize, DType? DType)
{
    public bool IsQuantized => DType is null;

    private static readonly Dictionary<int, GgmlType> ById = new GgmlType[]
    {
        new(0, "F32", 1, 4, Tensors.DType.F32),
        new(1, "F16", 1, 2, Tensors.DType.F16),
        new(2, "Q4_0", 32, 18, null),
        new(3, "Q4_1", 32, 20, null),
        new(6, "Q5_0", 32, 22, null),
        new(7, "Q5_1", 32, 24, null),
        new(8, "Q8_0", 32, 34, null),
        new(9, "Q8_1", 32, 36, null),
        new(10, "Q2_K", 256, 84, null),
        new(11, "Q3_K", 256, 110, null),
        new(12, "Q4_K", 256, 144, null),
        new(13, "Q5_K", 256, 176, null),
        new(14, "Q6_K", 256, 210, null),
        new(15, "Q8_K", 256, 292, null),
        new(16, "IQ2_XXS", 256, 66, null),
        new(17, "IQ2_XS", 256, 74, null),
        new(18, "IQ3_XXS", 256, 98, null),
        new(19, "IQ1_S", 256, 50, null),
        new(20, "IQ4_NL", 32, 18, null),
        new(21, "IQ3_S", 256, 110, null),
        new(22, "IQ2_S", 256, 82, null),
        new(23, "IQ4_XS", 256, 136, null),
        new(24, "I8", 1, 1, Tensors.DType.I8),
        new(25, "I16", 1, 2, Tensors.DType.I16),
        new(26, "I32", 1, 4, Tensors.DType.I32),
        new(27, "I64", 1, 8, Tensors.DType.I64),
        new(28, "F64", 1, 8, Tensors.DType.F64),
        new(29, "IQ1_M", 256, 56, null),
        new(30, "BF16", 1, 2, Tensors.DType.BF16),
        new(34, "TQ1_0", 256, 54, null),
        new(35, "TQ2_0", 256, 66, null),
        new(39, "MXFP4", 32, 17, null),
    }.ToDictionary(t => t.Id);

    public static GgmlType? Find(uint id) => id <= int.MaxValue && ById.TryGetValue((int)id, out var type) ? type : null;
}
