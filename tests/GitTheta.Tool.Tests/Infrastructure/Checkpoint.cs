using System.Buffers.Binary;
using System.Text;

namespace GitTheta.Tool.Tests.Infrastructure;

/// <summary>
/// Builds safetensors files for tests, independently of the product's own writer: F32 groups of
/// seeded random values, with the helpers to perturb some of them.
/// </summary>
public sealed class Checkpoint
{
    private readonly List<(string Name, int[] Shape, float[] Values)> groups = new();

    public IReadOnlyList<string> Names => groups.Select(g => g.Name).ToList();

    public static Checkpoint Random(int groupCount, int rows = 32, int columns = 16, int seed = 1, float scale = 0.02f)
    {
        var checkpoint = new Checkpoint();
        var random = new Random(seed);
        for (var g = 0; g < groupCount; g++)
        {
            var values = new float[rows * columns];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() - 0.5) * 2 * scale);
            }

            checkpoint.groups.Add(($"layers.{g}.weight", new[] { rows, columns }, values));
        }

        return checkpoint;
    }

    /// <summary>Appends a group of seeded random values (a bias, say, beside the weights).</summary>
    public Checkpoint AddGroup(string name, int rows, int columns, int seed, float scale = 0.02f)
    {
        var random = new Random(seed);
        groups.Add((name, new[] { rows, columns }, Enumerable.Range(0, rows * columns).Select(_ => (float)((random.NextDouble() - 0.5) * 2 * scale)).ToArray()));
        return this;
    }

    public Checkpoint Clone()
    {
        var copy = new Checkpoint();
        copy.groups.AddRange(groups.Select(g => (g.Name, g.Shape, (float[])g.Values.Clone())));
        return copy;
    }

    public Checkpoint Add(int groupIndex, float delta)
    {
        var values = groups[groupIndex].Values;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] += delta;
        }

        return this;
    }

    /// <summary>Moves a few elements of a group by one unit in the last place.</summary>
    public Checkpoint NudgeUlp(int groupIndex, int count)
    {
        var values = groups[groupIndex].Values;
        for (var i = 0; i < count; i++)
        {
            values[i * 7 % values.Length] = MathF.BitIncrement(values[i * 7 % values.Length]);
        }

        return this;
    }

    public byte[] ToBytes()
    {
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, shape, values) in groups)
        {
            var length = values.Length * 4L;
            json.Append($",\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + length}]}}");
            offset += length;
        }

        json.Append('}');
        while (json.Length % 8 != 0)
        {
            json.Append(' ');
        }

        var header = Encoding.UTF8.GetBytes(json.ToString());
        var bytes = new byte[8 + header.Length + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        var position = 8 + header.Length;
        foreach (var (_, _, values) in groups)
        {
            foreach (var value in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(position), value);
                position += 4;
            }
        }

        return bytes;
    }
}
