using System.Runtime.InteropServices;

namespace GitTheta.Core.Tests.Support;

/// <summary>Deterministic pseudo-random tensor contents.</summary>
internal static class TestData
{
    public static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>float32 values uniform in [-scale, scale).</summary>
    public static float[] RandomFloats(int seed, int count, double scale = 1.0)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    public static double[] RandomDoubles(int seed, int count, double scale = 1.0)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    public static byte[] Bytes<T>(T[] values)
        where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static byte[] RandomF32Bytes(int seed, int count, double scale = 1.0) => Bytes(RandomFloats(seed, count, scale));
}
