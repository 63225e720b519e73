// gittheta-bench-updates: the inputs of bench/updates.sh, made from a safetensors checkpoint of F32 groups
// (bench/GitTheta.Bench.Generator writes one).
//
//   gittheta-bench-updates sparse --in v1 --out v2 [--fraction 0.01] [--delta 1e-3] [--seed 1] [--pattern REGEX]
//       adds --delta to a random --fraction of the elements of every group whose name matches --pattern (all
//       groups by default); --out may equal --in, which changes the file in place (only the changed bytes).
//   gittheta-bench-updates lora --in v1 --data lora.safetensors --merged v2 [--rank 16] [--seed 1] [--pattern REGEX]
//       for every 2-D group matching --pattern (default: the attention matrices), random factors R [rows, rank] and
//       C [rank, columns] (uniform ±0.01) written to --data as <group>/R and <group>/C, and --merged = v1 with
//       R·C added to those groups (each element: its products summed in order in float64, added to the old value,
//       rounded to float32: what git-theta computes when it applies the factors).
//
// Each prints a JSON report on stdout: the groups changed, their bytes, and the elements or factor bytes.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

internal static class Program
{
    private const string AttentionMatrices = @"attention\.(self\.(query|key|value)|output\.dense)\.weight$";

    private static int Main(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help")
            {
                Console.WriteLine("usage: gittheta-bench-updates sparse|lora [options] (see the comment at the top of Program.cs)");
                return args.Length == 0 ? 2 : 0;
            }

            var options = Options.Parse(args.Skip(1).ToArray());
            return args[0] switch
            {
                "sparse" => Sparse(options),
                "lora" => Lora(options),
                _ => throw new ArgumentException($"unknown mode '{args[0]}'"),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"gittheta-bench-updates: {e.Message}");
            return 2;
        }
    }

    private static int Sparse(Options options)
    {
        var input = options.Require("in");
        var output = options.Require("out");
        var fraction = options.Double("fraction", 0.01);
        var delta = (float)options.Double("delta", 1e-3);
        var seed = options.Int("seed", 1);
        var pattern = new Regex(options.Get("pattern") ?? ".*");
        if (Path.GetFullPath(input) != Path.GetFullPath(output))
        {
            File.Copy(input, output, overwrite: true);
        }

        var file = Safetensors.Read(output);
        var random = new Random(seed);
        long changed = 0;
        var groups = new List<string>();
        using var stream = new FileStream(output, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        foreach (var tensor in file.Tensors.Where(t => pattern.IsMatch(t.Name)))
        {
            Safetensors.RequireF32(tensor);
            var count = tensor.Elements;
            var picks = (long)Math.Round(count * fraction);
            if (picks == 0)
            {
                continue;
            }

            groups.Add(tensor.Name);
            var chosen = new HashSet<long>();
            while (chosen.Count < picks)
            {
                chosen.Add(random.NextInt64(count));
            }

            // One read and one write per group: the file may be a gigabyte.
            var bytes = new byte[tensor.End - tensor.Begin];
            stream.Position = file.DataStart + tensor.Begin;
            stream.ReadExactly(bytes);
            foreach (var index in chosen)
            {
                var at = bytes.AsSpan((int)(index * 4), 4);
                BinaryPrimitives.WriteSingleLittleEndian(at, BinaryPrimitives.ReadSingleLittleEndian(at) + delta);
            }

            stream.Position = file.DataStart + tensor.Begin;
            stream.Write(bytes);
            changed += picks;
        }

        Report(w =>
        {
            w.WriteString("mode", "sparse");
            w.WriteString("file", output);
            w.WriteNumber("groups_changed", groups.Count);
            w.WriteNumber("elements_changed", changed);
            w.WriteNumber("changed_groups_bytes", file.Tensors.Where(t => groups.Contains(t.Name)).Sum(t => t.End - t.Begin));
        });
        return 0;
    }

    private static int Lora(Options options)
    {
        var input = options.Require("in");
        var dataPath = options.Require("data");
        var merged = options.Require("merged");
        var rank = options.Int("rank", 16);
        var random = new Random(options.Int("seed", 1));
        var pattern = new Regex(options.Get("pattern") ?? AttentionMatrices);
        var file = Safetensors.Read(input);
        File.Copy(input, merged, overwrite: true);
        var factors = new List<(string Name, long[] Shape, float[] Values)>();
        using (var stream = new FileStream(merged, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 20))
        {
            foreach (var tensor in file.Tensors.Where(t => t.Shape.Length == 2 && pattern.IsMatch(t.Name)))
            {
                Safetensors.RequireF32(tensor);
                var rows = (int)tensor.Shape[0];
                var columns = (int)tensor.Shape[1];
                var r = Enumerable.Range(0, rows * rank).Select(_ => (float)((random.NextDouble() * 2 - 1) * 0.01)).ToArray();
                var c = Enumerable.Range(0, rank * columns).Select(_ => (float)((random.NextDouble() * 2 - 1) * 0.01)).ToArray();
                factors.Add((tensor.Name + "/R", new long[] { rows, rank }, r));
                factors.Add((tensor.Name + "/C", new long[] { rank, columns }, c));
                var row = new byte[columns * 4];
                var sum = new double[columns];
                for (var i = 0; i < rows; i++)
                {
                    Array.Clear(sum);
                    for (var j = 0; j < rank; j++)
                    {
                        var factor = (double)r[(i * rank) + j];
                        for (var x = 0; x < columns; x++)
                        {
                            sum[x] += factor * c[(j * columns) + x];
                        }
                    }

                    stream.Position = file.DataStart + tensor.Begin + ((long)i * columns * 4);
                    stream.ReadExactly(row);
                    for (var x = 0; x < columns; x++)
                    {
                        var old = BinaryPrimitives.ReadSingleLittleEndian(row.AsSpan(x * 4));
                        BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(x * 4), (float)(old + sum[x]));
                    }

                    stream.Position -= row.Length;
                    stream.Write(row);
                }
            }
        }

        Safetensors.Write(dataPath, factors);
        Report(w =>
        {
            w.WriteString("mode", "lora");
            w.WriteNumber("rank", rank);
            w.WriteNumber("groups_changed", factors.Count / 2);
            w.WriteNumber("changed_groups_bytes", file.Tensors.Where(t => factors.Any(f => f.Name == t.Name + "/R")).Sum(t => t.End - t.Begin));
            w.WriteNumber("factor_bytes", factors.Sum(f => f.Values.Length * 4L));
            w.WriteNumber("update_data_file_bytes", new FileInfo(dataPath).Length);
        });
        return 0;
    }

    private static void Report(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        Console.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}

internal sealed record Tensor(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}

internal sealed record SafetensorsFile(List<Tensor> Tensors, long DataStart);

internal static class Safetensors
{
    public static SafetensorsFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var prefix = new byte[8];
        stream.ReadExactly(prefix);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length < 2 || length > 100_000_000)
        {
            throw new InvalidDataException($"{path}: not a safetensors file");
        }

        var header = new byte[length];
        stream.ReadExactly(header);
        using var document = JsonDocument.Parse(header);
        var tensors = document.RootElement.EnumerateObject()
            .Where(p => p.Name != "__metadata__")
            .Select(p =>
            {
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                return new Tensor(p.Name, p.Value.GetProperty("dtype").GetString()!, p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), offsets[0], offsets[1]);
            })
            .OrderBy(t => t.Begin)
            .ToList();
        return new SafetensorsFile(tensors, 8 + (long)length);
    }

    public static void RequireF32(Tensor tensor)
    {
        if (tensor.DType != "F32")
        {
            throw new InvalidDataException($"'{tensor.Name}' is {tensor.DType}; these inputs are made from F32 checkpoints only (generate with --dtype F32).");
        }
    }

    public static void Write(string path, List<(string Name, long[] Shape, float[] Values)> tensors)
    {
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, shape, values) in tensors)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + (values.Length * 4L)}]}}");
            offset += values.Length * 4L;
        }

        json.Append('}');
        while (json.Length % 8 != 0)
        {
            json.Append(' ');
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var header = Encoding.UTF8.GetBytes(json.ToString());
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        var bytes = new byte[4];
        foreach (var (_, _, values) in tensors)
        {
            foreach (var value in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
                stream.Write(bytes);
            }
        }
    }
}

internal sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --option value, got '{args[i]}'");
            }

            options.values[args[i][2..]] = args[i + 1];
        }

        return options;
    }

    public string? Get(string key) => values.TryGetValue(key, out var value) ? value : null;

    public string Require(string key) => Get(key) ?? throw new ArgumentException($"--{key} is required");

    public double Double(string key, double fallback) =>
        Get(key) is { } text ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    public int Int(string key, int fallback) =>
        Get(key) is { } text ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;
}
