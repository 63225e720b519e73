// gittheta-bench-gen: writes synthetic, transformer-like safetensors checkpoints for bench/run.sh.
//
//   gittheta-bench-gen generate --out v1.safetensors [--size-mib 1024] [--dtype F32|BF16|F16] [--seed 1] [--report r.json]
//                               [--shards N]   (N > 1: --out is a folder of Hugging Face style shards + index.json)
//   gittheta-bench-gen perturb  --in v1.safetensors --out v2.safetensors [--groups 2] [--delta 1e-3]
//                               [--seed 1] [--pick matrices|any] [--names a,b] [--report r.json]
//   gittheta-bench-gen info     --in model.safetensors [--report r.json]
//
// perturb and info also take a folder of shards (one holding model.safetensors.index.json) for --in.
//
// Every mode prints a JSON report on stdout (and to --report if given). BCL only.

using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GitTheta.Bench.Generator;

internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.Error.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }

            var options = Options.Parse(args.Skip(1).ToArray());
            string report = args[0] switch
            {
                "generate" => Generate(options),
                "perturb" => Perturb(options),
                "info" => Info(options),
                _ => throw new UsageException($"unknown mode '{args[0]}'"),
            };

            Console.Out.WriteLine(report);
            if (options.Get("report") is { } reportPath)
            {
                File.WriteAllText(reportPath, report + "\n");
            }

            return 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"gittheta-bench-gen: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"gittheta-bench-gen: {e.Message}");
            return 1;
        }
    }

    private const string Usage = """
        usage:
          gittheta-bench-gen generate --out FILE [--size-mib 1024] [--dtype F32|BF16|F16] [--seed 1] [--layers 13]
                                      [--embedding-mib N] [--shards N] [--report FILE]
          gittheta-bench-gen perturb  --in FILE --out FILE [--groups 2] [--delta 1e-3] [--seed 1]
                                      [--pick matrices|any] [--names a,b,...] [--report FILE]
          gittheta-bench-gen info     --in FILE [--report FILE]

        With --shards N (N > 1) generate writes a folder: model-00001-of-0000N.safetensors ... and
        model.safetensors.index.json; perturb and info take such a folder for --in (and perturb's --out is a folder).
        """;

    // ------------------------------------------------------------------ generate

    private static string Generate(Options o)
    {
        string outPath = o.Require("out");
        double sizeMib = o.GetDouble("size-mib", 1024);
        var dtype = DType.Parse(o.Get("dtype") ?? "F32");
        ulong seed = o.GetULong("seed", 1);
        int layers = o.GetInt("layers", 13);
        double embeddingMib = o.GetDouble("embedding-mib", 0);
        if (sizeMib <= 0) throw new UsageException("--size-mib must be positive");
        if (embeddingMib < 0 || embeddingMib >= sizeMib) throw new UsageException("--embedding-mib must be at least 0 and below --size-mib");
        if (layers < 1) throw new UsageException("--layers must be at least 1");
        if (dtype.Kind is DTypeKind.F64) throw new UsageException("generate supports F32, BF16 and F16");

        int shards = o.GetInt("shards", 1);
        if (shards < 1) throw new UsageException("--shards must be at least 1");

        var sw = Stopwatch.StartNew();
        var model = Layout.Plan((long)(sizeMib * 1024 * 1024), dtype, layers, (long)(embeddingMib * 1024 * 1024));
        if (shards > model.Tensors.Count) throw new UsageException($"--shards must be at most {model.Tensors.Count} (one tensor per shard)");

        var indices = Enumerable.Range(0, model.Tensors.Count).ToList();
        long fileBytes;
        List<(string Name, long Bytes)> shardFiles = new();
        if (shards == 1)
        {
            fileBytes = WriteSafetensors(outPath, model.Tensors, indices, dtype, seed);
        }
        else
        {
            Directory.CreateDirectory(outPath);
            var parts = Sharding.Split(model.Tensors, shards);
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            fileBytes = 0;
            for (int k = 0; k < parts.Count; k++)
            {
                string name = Sharding.ShardName(k, parts.Count);
                long bytes = WriteSafetensors(Path.Combine(outPath, name), model.Tensors, parts[k], dtype, seed);
                foreach (int g in parts[k]) weightMap[model.Tensors[g].Name] = name;
                shardFiles.Add((name, bytes));
                fileBytes += bytes;
            }

            Sharding.WriteIndex(Path.Combine(outPath, Sharding.IndexName), model.Tensors.Sum(t => t.Bytes), weightMap);
        }

        return Reports.Model(outPath, model.Tensors, fileBytes, extra: w =>
        {
            w.WriteString("mode", "generate");
            w.WriteNumber("seed", seed);
            w.WriteNumber("requested_bytes", (long)(sizeMib * 1024 * 1024));
            w.WriteNumber("hidden", model.Hidden);
            w.WriteNumber("layers", model.Layers);
            w.WriteNumber("vocab", model.Vocab);
            w.WriteNumber("shard_count", shards);
            Reports.Shards(w, shardFiles);
            w.WriteNumber("seconds", Math.Round(sw.Elapsed.TotalSeconds, 3));
        });
    }

    /// <summary>
    /// Writes one safetensors file holding the tensors at <paramref name="groups"/> (indices into the whole model), so a
    /// tensor's bytes are the same whether it lands in a single file or in a shard: its PRNG streams are keyed by its
    /// index in the whole model. Returns the file's length.
    /// </summary>
    private static long WriteSafetensors(string outPath, List<TensorSpec> all, List<int> groups, DType dtype, ulong seed)
    {
        var tensors = groups.Select(g => all[g]).ToList();
        byte[] header = SafetensorsHeader.Build(tensors);
        long dataBytes = tensors.Sum(t => t.Bytes);

        // Work items: chunks of at most ChunkElements of one tensor, each with its own PRNG stream,
        // so the output is deterministic regardless of how many threads fill it.
        const int ChunkElements = 1 << 18;
        var items = new List<WorkItem>();
        foreach (int g in groups)
        {
            var t = all[g];
            long n = t.Elements;
            for (long start = 0, c = 0; start < n; start += ChunkElements, c++)
            {
                items.Add(new WorkItem(g, c, start, (int)Math.Min(ChunkElements, n - start)));
            }
        }

        int bufferBytes = 32 << 20;
        var buffers = new[] { new byte[bufferBytes], new byte[bufferBytes] };
        using (var fs = new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.None))
        {
            fs.SetLength(8 + header.Length + dataBytes);
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            fs.Write(len);
            fs.Write(header);

            Task pending = Task.CompletedTask;
            int which = 0;
            int i = 0;
            while (i < items.Count)
            {
                // Batch consecutive items into one buffer; each item gets its offset in the buffer.
                var batch = new List<(WorkItem Item, int Offset)>();
                int used = 0;
                while (i < items.Count)
                {
                    int b = items[i].Count * dtype.Size;
                    if (used + b > bufferBytes && batch.Count > 0) break;
                    batch.Add((items[i], used));
                    used += b;
                    i++;
                }

                byte[] buf = buffers[which];
                Parallel.ForEach(batch, entry =>
                {
                    var (item, offset) = entry;
                    var t = all[item.Group];
                    Fill.Tensor(buf.AsSpan(offset, item.Count * dtype.Size), dtype, t.Init,
                        StreamSeed(seed, (ulong)item.Group, (ulong)item.Chunk));
                });

                pending.GetAwaiter().GetResult();
                int toWrite = used;
                pending = Task.Run(() => fs.Write(buf, 0, toWrite));
                which ^= 1;
            }

            pending.GetAwaiter().GetResult();
        }

        return 8 + header.Length + dataBytes;
    }

    private readonly record struct WorkItem(int Group, long Chunk, long Start, int Count);

    private static ulong StreamSeed(ulong seed, ulong group, ulong chunk)
    {
        ulong s = seed * 0x9E3779B97F4A7C15UL;
        s = Rng.SplitMix(ref s) ^ (group * 0xD1B54A32D192ED03UL);
        s = Rng.SplitMix(ref s) ^ (chunk * 0x8CB92BA72F3D8DD7UL);
        return Rng.SplitMix(ref s);
    }

    // ------------------------------------------------------------------ perturb

    private static string Perturb(Options o)
    {
        string inPath = o.Require("in");
        string outPath = o.Require("out");
        int groups = o.GetInt("groups", 2);
        double delta = o.GetDouble("delta", 1e-3);
        ulong seed = o.GetULong("seed", 1);
        string pick = o.Get("pick") ?? "matrices";
        string? names = o.Get("names");
        if (Path.GetFullPath(inPath) == Path.GetFullPath(outPath)) throw new UsageException("--in and --out must differ");

        var sw = Stopwatch.StartNew();
        var checkpoint = Checkpoint.Open(inPath);
        var all = checkpoint.Tensors;

        List<ShardTensor> chosen;
        if (names is not null)
        {
            chosen = new List<ShardTensor>();
            foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal))
            {
                chosen.Add(all.FirstOrDefault(t => t.Tensor.Name == name)
                    ?? throw new UsageException($"no tensor named '{name}' in {inPath}"));
            }
        }
        else
        {
            var candidates = pick switch
            {
                // Fine-tunes typically touch weight matrices; embeddings and 1-D tensors are left out
                // so "N groups changed" means N representative, non-trivial groups.
                "matrices" => all.Where(t => t.Tensor.Shape.Length == 2 && !t.Tensor.Name.Contains("embeddings", StringComparison.Ordinal)).ToList(),
                "any" => all.ToList(),
                _ => throw new UsageException("--pick must be 'matrices' or 'any'"),
            };
            if (candidates.Count == 0) candidates = all.ToList();
            if (groups < 0 || groups > candidates.Count)
                throw new UsageException($"--groups must be between 0 and {candidates.Count} (--pick {pick})");

            // Seeded Fisher-Yates over the whole model (every shard), take the first N, then report in model order.
            var order = candidates.ToArray();
            ulong state = seed ^ 0x5851F42D4C957F2DUL;
            for (int k = order.Length - 1; k > 0; k--)
            {
                int j = (int)(Rng.SplitMix(ref state) % (ulong)(k + 1));
                (order[k], order[j]) = (order[j], order[k]);
            }

            chosen = order.Take(groups).OrderBy(t => t.Shard).ThenBy(t => t.Tensor.Begin).ToList();
        }

        foreach (var t in chosen)
        {
            if (!DType.TryParse(t.Tensor.DType, out var dt) || dt.Kind is not (DTypeKind.F32 or DTypeKind.F16 or DTypeKind.BF16 or DTypeKind.F64))
                throw new UsageException($"cannot perturb '{t.Tensor.Name}' of dtype {t.Tensor.DType}: only F64/F32/F16/BF16");
        }

        // Copy every file (copy_file_range/reflink where the file system offers it), then patch the chosen groups in
        // place: only the shards that hold them differ from the input.
        checkpoint.CopyTo(outPath);
        long changedElements = 0;
        const int Piece = 16 << 20; // a multiple of every element size, so no element straddles two pieces
        var buffer = new byte[Piece];
        foreach (var shardGroup in chosen.GroupBy(t => t.Shard))
        {
            using var dst = new FileStream(checkpoint.ShardPath(outPath, shardGroup.Key), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
            foreach (var st in shardGroup)
            {
                var t = st.Tensor;
                var dt = DType.Parse(t.DType);
                long end = st.DataStart + t.End;
                for (long pos = st.DataStart + t.Begin; pos < end;)
                {
                    int n = (int)Math.Min(Piece, end - pos);
                    dst.Position = pos;
                    dst.ReadExactly(buffer, 0, n);
                    changedElements += Fill.AddDelta(buffer.AsSpan(0, n), dt, delta);
                    dst.Position = pos;
                    dst.Write(buffer, 0, n);
                    pos += n;
                }
            }
        }

        var outCheckpoint = Checkpoint.Open(outPath);
        return Reports.Model(outPath, outCheckpoint.Tensors.Select(t => t.Tensor).ToList(), outCheckpoint.FileBytes, extra: w =>
        {
            w.WriteString("mode", "perturb");
            w.WriteString("input", inPath);
            w.WriteNumber("seed", seed);
            w.WriteNumber("delta", delta);
            w.WriteString("pick", names is null ? pick : "names");
            w.WriteNumber("changed_group_count", chosen.Count);
            w.WriteNumber("changed_bytes", chosen.Sum(t => t.Tensor.Bytes));
            w.WriteNumber("changed_elements", changedElements);
            w.WriteStartArray("changed_groups");
            foreach (var st in chosen)
            {
                var t = st.Tensor;
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("dtype", t.DType);
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteNumber("bytes", t.Bytes);
                w.WriteString("shard", st.Shard);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("changed_shards");
            foreach (var shard in chosen.Select(t => t.Shard).Distinct(StringComparer.Ordinal)) w.WriteStringValue(shard);
            w.WriteEndArray();
            w.WriteNumber("seconds", Math.Round(sw.Elapsed.TotalSeconds, 3));
        });
    }

    // ------------------------------------------------------------------ info

    private static string Info(Options o)
    {
        string inPath = o.Require("in");
        var checkpoint = Checkpoint.Open(inPath);
        return Reports.Model(inPath, checkpoint.Tensors.Select(t => t.Tensor).ToList(), checkpoint.FileBytes, extra: w =>
        {
            w.WriteString("mode", "info");
            w.WriteNumber("shard_count", checkpoint.ShardNames.Count);
        });
    }
}

internal sealed class UsageException(string message) : Exception(message);

// ---------------------------------------------------------------------- options

internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{a}'");
            string key = a[2..];
            string value;
            int eq = key.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = key[(eq + 1)..];
                key = key[..eq];
            }
            else
            {
                if (i + 1 >= args.Length) throw new UsageException($"option --{key} needs a value");
                value = args[++i];
            }

            o._values[key] = value;
        }

        return o;
    }

    public string? Get(string key) => _values.TryGetValue(key, out var v) ? v : null;

    public string Require(string key) => Get(key) ?? throw new UsageException($"--{key} is required");

    public double GetDouble(string key, double fallback) =>
        Get(key) is { } s ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--{key}: '{s}' is not a number") : fallback;

    public int GetInt(string key, int fallback) =>
        Get(key) is { } s ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--{key}: '{s}' is not an integer") : fallback;

    public ulong GetULong(string key, ulong fallback) =>
        Get(key) is { } s ? ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--{key}: '{s}' is not a non-negative integer") : fallback;
}

// ---------------------------------------------------------------------- dtypes

internal enum DTypeKind { F64, F32, F16, BF16, Other }

internal readonly record struct DType(DTypeKind Kind, string Name, int Size)
{
    public static DType Parse(string s) =>
        TryParse(s, out var d) && d.Kind != DTypeKind.Other ? d : throw new UsageException($"unsupported dtype '{s}' (F32, BF16, F16)");

    public static bool TryParse(string s, out DType d)
    {
        d = s.ToUpperInvariant() switch
        {
            "F64" => new DType(DTypeKind.F64, "F64", 8),
            "F32" => new DType(DTypeKind.F32, "F32", 4),
            "F16" => new DType(DTypeKind.F16, "F16", 2),
            "BF16" => new DType(DTypeKind.BF16, "BF16", 2),
            "I64" or "U64" => new DType(DTypeKind.Other, s, 8),
            "I32" or "U32" => new DType(DTypeKind.Other, s, 4),
            "I16" or "U16" => new DType(DTypeKind.Other, s, 2),
            "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => new DType(DTypeKind.Other, s, 1),
            _ => default,
        };
        return d.Size != 0;
    }
}

// ---------------------------------------------------------------------- model layout

internal enum Init { Normal, NormalAroundOne }

internal sealed record TensorSpec(string Name, long[] Shape, Init Init, DType DType)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
    public long Bytes => Elements * DType.Size;
}

internal sealed record ModelPlan(List<TensorSpec> Tensors, int Hidden, int Layers, long Vocab);

internal static class Layout
{
    private const int MaxPositions = 512;
    private const int TypeVocab = 2;

    /// <summary>
    /// A BERT-like encoder: embeddings (word, position, token type, LayerNorm), <paramref name="layers"/> blocks of
    /// 16 groups (q/k/v/o weights and biases, two LayerNorms, FFN up/down weights and biases), pooler and final norm.
    /// 13 layers give 5 + 13*16 + 4 = 217 groups. The hidden size is the largest multiple of 32 whose blocks fit in
    /// ~90% of the budget; the vocabulary then absorbs the remainder, so the file lands within a row of the target.
    /// With <paramref name="embeddingBytes"/> the word embedding gets that size instead (a large language model's
    /// vocabulary can make it one tensor over 2 GiB) and the blocks share the rest.
    /// </summary>
    public static ModelPlan Plan(long targetBytes, DType dtype, int layers, long embeddingBytes = 0)
    {
        long embeddingElements = embeddingBytes / dtype.Size;
        long p = Math.Max((targetBytes - embeddingBytes) / dtype.Size, 1);
        long PerLayer(long d) => 12 * d * d + 13 * d;
        long Fixed(long d) => (MaxPositions + TypeVocab) * d + (d * d + d) + 4 * d;

        long hidden = 32;
        for (long d = 64; ; d += 32)
        {
            if (layers * PerLayer(d) + d * d > 0.9 * p) break;
            hidden = d;
        }

        long rest = p - layers * PerLayer(hidden) - Fixed(hidden);
        long vocab = Math.Max((embeddingElements > 0 ? embeddingElements : rest) / hidden, 16);
        long h = hidden;
        long ffn = 4 * h;

        var t = new List<TensorSpec>();
        void Add(string name, Init init, params long[] shape) => t.Add(new TensorSpec(name, shape, init, dtype));

        Add("embeddings.word_embeddings.weight", Init.Normal, vocab, h);
        Add("embeddings.position_embeddings.weight", Init.Normal, MaxPositions, h);
        Add("embeddings.token_type_embeddings.weight", Init.Normal, TypeVocab, h);
        Add("embeddings.LayerNorm.weight", Init.NormalAroundOne, h);
        Add("embeddings.LayerNorm.bias", Init.Normal, h);
        for (int i = 0; i < layers; i++)
        {
            string p0 = $"encoder.layer.{i}.";
            foreach (var qkv in new[] { "query", "key", "value" })
            {
                Add(p0 + $"attention.self.{qkv}.weight", Init.Normal, h, h);
                Add(p0 + $"attention.self.{qkv}.bias", Init.Normal, h);
            }

            Add(p0 + "attention.output.dense.weight", Init.Normal, h, h);
            Add(p0 + "attention.output.dense.bias", Init.Normal, h);
            Add(p0 + "attention.output.LayerNorm.weight", Init.NormalAroundOne, h);
            Add(p0 + "attention.output.LayerNorm.bias", Init.Normal, h);
            Add(p0 + "intermediate.dense.weight", Init.Normal, ffn, h);
            Add(p0 + "intermediate.dense.bias", Init.Normal, ffn);
            Add(p0 + "output.dense.weight", Init.Normal, h, ffn);
            Add(p0 + "output.dense.bias", Init.Normal, h);
            Add(p0 + "output.LayerNorm.weight", Init.NormalAroundOne, h);
            Add(p0 + "output.LayerNorm.bias", Init.Normal, h);
        }

        Add("pooler.dense.weight", Init.Normal, h, h);
        Add("pooler.dense.bias", Init.Normal, h);
        Add("final_layer_norm.weight", Init.NormalAroundOne, h);
        Add("final_layer_norm.bias", Init.Normal, h);
        return new ModelPlan(t, (int)h, layers, vocab);
    }
}

// ---------------------------------------------------------------------- safetensors

internal sealed record TensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long Bytes => End - Begin;
}

internal sealed record SafetensorsFile(List<TensorInfo> Tensors, long DataStart, long Length);

internal static class SafetensorsHeader
{
    public static byte[] Build(IReadOnlyList<TensorSpec> tensors)
    {
        var sb = new StringBuilder();
        sb.Append("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var t in tensors)
        {
            sb.Append(",\"").Append(t.Name).Append("\":{\"dtype\":\"").Append(t.DType.Name).Append("\",\"shape\":[");
            sb.AppendJoin(',', t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            sb.Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += t.Bytes;
            sb.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }

        sb.Append('}');
        while (sb.Length % 8 != 0) sb.Append(' ');
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    public static SafetensorsFile Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        Span<byte> len = stackalloc byte[8];
        fs.ReadExactly(len);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n == 0 || n > 100UL << 20 || (long)n > fs.Length - 8)
            throw new InvalidDataException($"{path}: not a safetensors file (header length {n})");
        var header = new byte[n];
        fs.ReadExactly(header);
        long dataStart = 8 + (long)n;
        long dataLength = fs.Length - dataStart;

        var tensors = new List<TensorInfo>();
        using (var doc = JsonDocument.Parse(header))
        {
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__") continue;
                var e = prop.Value;
                string dtype = e.GetProperty("dtype").GetString() ?? "";
                var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var offs = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > dataLength)
                    throw new InvalidDataException($"{path}: bad data_offsets for '{prop.Name}'");
                if (DType.TryParse(dtype, out var dt) && shape.Aggregate(1L, (a, b) => a * b) * dt.Size != offs[1] - offs[0])
                    throw new InvalidDataException($"{path}: '{prop.Name}' size does not match its shape and dtype");
                tensors.Add(new TensorInfo(prop.Name, dtype, shape, offs[0], offs[1]));
            }
        }

        tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        return new SafetensorsFile(tensors, dataStart, fs.Length);
    }
}

// ---------------------------------------------------------------------- reports

internal static class Reports
{
    public static string Model<T>(string path, IReadOnlyList<T> tensors, long fileBytes, Action<Utf8JsonWriter> extra)
    {
        var infos = tensors.Select(t => t switch
        {
            TensorSpec s => (s.Name, s.DType.Name, s.Bytes),
            TensorInfo i => (i.Name, i.DType, i.Bytes),
            _ => throw new InvalidOperationException(),
        }).ToList();

        var largest = infos.OrderByDescending(x => x.Item3).First();
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            extra(w);
            w.WriteString("file", path);
            w.WriteString("dtype", string.Join(",", infos.Select(x => x.Item2).Distinct()));
            w.WriteNumber("group_count", infos.Count);
            w.WriteNumber("file_bytes", fileBytes);
            w.WriteNumber("header_bytes", fileBytes - infos.Sum(x => x.Item3)); // every shard's length prefix and JSON
            w.WriteNumber("data_bytes", infos.Sum(x => x.Item3));
            w.WriteNumber("largest_group_bytes", largest.Item3);
            w.WriteString("largest_group", largest.Item1);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static void Shards(Utf8JsonWriter w, IReadOnlyList<(string Name, long Bytes)> shards)
    {
        w.WriteStartArray("shards");
        foreach (var (name, bytes) in shards)
        {
            w.WriteStartObject();
            w.WriteString("file", name);
            w.WriteNumber("bytes", bytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}

// ---------------------------------------------------------------------- PRNG and fill

internal static class Rng
{
    public static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

internal static class Fill
{
    // Sum of four 16-bit uniforms (Irwin-Hall, n=4) is close to normal: mean 2*65535, sd 65536*sqrt(1/3).
    private const float Std = 0.02f;
    private const float Scale = Std / 37837.23f;
    private const float Center = 2f * 65535f;

    public static void Tensor(Span<byte> dst, DType dtype, Init init, ulong seed)
    {
        // xoshiro256** state seeded from splitmix64.
        ulong sm = seed;
        ulong s0 = Rng.SplitMix(ref sm), s1 = Rng.SplitMix(ref sm), s2 = Rng.SplitMix(ref sm), s3 = Rng.SplitMix(ref sm);
        float bias = init == Init.NormalAroundOne ? 1f : 0f;
        int n = dst.Length / dtype.Size;

        for (int i = 0; i < n; i++)
        {
            ulong r = BitRotl(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = BitRotl(s3, 45);

            float sum = (float)((r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48));
            float v = bias + (sum - Center) * Scale;
            switch (dtype.Kind)
            {
                case DTypeKind.F32:
                    BinaryPrimitives.WriteSingleLittleEndian(dst.Slice(i * 4, 4), v);
                    break;
                case DTypeKind.F16:
                    BinaryPrimitives.WriteHalfLittleEndian(dst.Slice(i * 2, 2), (Half)v);
                    break;
                case DTypeKind.BF16:
                    BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(i * 2, 2), ToBFloat16(v));
                    break;
                default:
                    throw new InvalidOperationException();
            }
        }
    }

    /// <summary>Adds <paramref name="delta"/> to every element; returns how many elements actually changed bits.</summary>
    public static long AddDelta(Span<byte> data, DType dtype, double delta)
    {
        long changed = 0;
        int n = data.Length / dtype.Size;
        for (int i = 0; i < n; i++)
        {
            switch (dtype.Kind)
            {
                case DTypeKind.F64:
                {
                    var s = data.Slice(i * 8, 8);
                    double a = BinaryPrimitives.ReadDoubleLittleEndian(s), b = a + delta;
                    if (BitConverter.DoubleToInt64Bits(a) != BitConverter.DoubleToInt64Bits(b)) changed++;
                    BinaryPrimitives.WriteDoubleLittleEndian(s, b);
                    break;
                }

                case DTypeKind.F32:
                {
                    var s = data.Slice(i * 4, 4);
                    float a = BinaryPrimitives.ReadSingleLittleEndian(s), b = (float)(a + delta);
                    if (BitConverter.SingleToInt32Bits(a) != BitConverter.SingleToInt32Bits(b)) changed++;
                    BinaryPrimitives.WriteSingleLittleEndian(s, b);
                    break;
                }

                case DTypeKind.F16:
                {
                    var s = data.Slice(i * 2, 2);
                    ushort a = BinaryPrimitives.ReadUInt16LittleEndian(s);
                    var b = (Half)((double)BitConverter.UInt16BitsToHalf(a) + delta);
                    ushort bb = BitConverter.HalfToUInt16Bits(b);
                    if (a != bb) changed++;
                    BinaryPrimitives.WriteUInt16LittleEndian(s, bb);
                    break;
                }

                case DTypeKind.BF16:
                {
                    var s = data.Slice(i * 2, 2);
                    ushort a = BinaryPrimitives.ReadUInt16LittleEndian(s);
                    float f = BitConverter.Int32BitsToSingle(a << 16);
                    ushort bb = ToBFloat16((float)(f + delta));
                    if (a != bb) changed++;
                    BinaryPrimitives.WriteUInt16LittleEndian(s, bb);
                    break;
                }

                default:
                    throw new InvalidOperationException();
            }
        }

        return changed;
    }

    private static ulong BitRotl(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>float32 to bfloat16 with round-to-nearest-even (NaN stays NaN).</summary>
    private static ushort ToBFloat16(float f)
    {
        uint bits = BitConverter.SingleToUInt32Bits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (ushort)((bits >> 16) | 0x40);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
