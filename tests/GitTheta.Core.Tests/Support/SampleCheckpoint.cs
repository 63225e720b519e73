namespace GitTheta.Core.Tests.Support;

/// <summary>A small model checkpoint: float32 groups that tests can change, plus a BF16 group and an I64 scalar.</summary>
internal sealed class SampleCheckpoint
{
    public static readonly string[] FloatGroups =
    {
        "encoder.layer.0.attention.weight", "encoder.layer.0.attention.bias", "encoder.layer.1.attention.weight",
        "encoder.layer.1.attention.bias", "decoder.weight", "decoder.bias",
    };

    private static readonly long[][] Shapes = { new long[] { 64, 48 }, new long[] { 48 }, new long[] { 64, 48 }, new long[] { 48 }, new long[] { 32, 64 }, new long[] { 32 } };

    public SampleCheckpoint(int seed = 1)
    {
        for (var i = 0; i < FloatGroups.Length; i++)
        {
            Values[FloatGroups[i]] = TestData.RandomFloats(seed + i, (int)Shapes[i].Aggregate(1L, (a, b) => a * b), scale: 0.1);
        }

        // BF16 is the upper half of a float32.
        Embedding = TestData.RandomFloats(seed + 100, 10 * 8, scale: 0.1).SelectMany(f => BitConverter.GetBytes(f)[2..]).ToArray();
    }

    public Dictionary<string, float[]> Values { get; } = new(StringComparer.Ordinal);

    public byte[] Embedding { get; }

    public long Step { get; set; } = 1234;

    /// <summary>Groups in the checkpoint: the float groups, "embedding" and "step".</summary>
    public static int GroupCount => FloatGroups.Length + 2;

    public SampleCheckpoint Clone()
    {
        var copy = new SampleCheckpoint { Step = Step };
        foreach (var (name, values) in Values)
        {
            copy.Values[name] = values.ToArray();
        }

        Embedding.CopyTo(copy.Embedding, 0);
        return copy;
    }

    /// <summary>Adds <paramref name="delta"/> to every element of one group.</summary>
    public SampleCheckpoint Shift(string name, float delta)
    {
        Values[name] = Values[name].Select(v => v + delta).ToArray();
        return this;
    }

    public byte[] Build()
    {
        var builder = new SafetensorsFileBuilder { ReverseJsonOrder = true }.AddMetadata("format", "pt");
        for (var i = 0; i < FloatGroups.Length; i++)
        {
            builder.Add(FloatGroups[i], "F32", Shapes[i], TestData.Bytes(Values[FloatGroups[i]]));
        }

        builder.Add("embedding", "BF16", new long[] { 10, 8 }, Embedding);
        builder.Add("step", "I64", Array.Empty<long>(), BitConverter.GetBytes(Step));
        return builder.Build();
    }
}
