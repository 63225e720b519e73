using GitTheta.Core.Configuration;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Tests.Support;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Tests.Updates;

/// <summary>A temp object store and an update context over it, plus values in any float dtype for update tests.</summary>
internal sealed class UpdateFixture : IDisposable
{
    private readonly TempDirectory root = new();

    public UpdateFixture(ThetaSettings? settings = null)
    {
        Store = new LfsObjectStore(root.Path);
        Transaction = new ObjectTransaction(Store);
        Context = new StagingContext(Store, Transaction, settings ?? new ThetaSettings(), "model.safetensors");
    }

    public LfsObjectStore Store { get; }

    public ObjectTransaction Transaction { get; }

    public StagingContext Context { get; }

    public StagingContext With(ThetaSettings settings) => new(Store, Transaction, settings, "model.safetensors");

    public static byte[] Encode(DType dtype, double[] values)
    {
        var bytes = new byte[values.Length * DTypes.SizeOf(dtype)];
        ElementNarrower.FromDouble(dtype, values, bytes);
        return bytes;
    }

    public static double[] Decode(DType dtype, ReadOnlySpan<byte> bytes)
    {
        var values = new double[bytes.Length / DTypes.SizeOf(dtype)];
        ElementConverter.ToDouble(dtype, bytes, values);
        return values;
    }

    /// <summary>Values like trained weights: uniform in ±scale, rounded to the dtype.</summary>
    public static byte[] Weights(DType dtype, int seed, int count, double scale = 0.02) => Encode(dtype, TestData.RandomDoubles(seed, count, scale));

    /// <summary>old + R·C computed in float64 and rounded to the dtype, as a LoRA merge would write it.</summary>
    public static byte[] PlusProduct(DType dtype, byte[] old, double[] r, double[] c, int rows, int rank, int columns)
    {
        var values = Decode(dtype, old);
        for (var i = 0; i < rows; i++)
        {
            for (var x = 0; x < columns; x++)
            {
                var sum = 0.0;
                for (var j = 0; j < rank; j++)
                {
                    sum += r[(i * rank) + j] * c[(j * columns) + x];
                }

                values[(i * columns) + x] += sum;
            }
        }

        return Encode(dtype, values);
    }

    public void Dispose()
    {
        Transaction.Dispose();
        root.Dispose();
    }
}
