using System.Text.Json;

namespace GitTheta.Bench.Generator;

/// <summary>Hugging Face style sharding: model-00001-of-0000N.safetensors files and model.safetensors.index.json.</summary>
internal static class Sharding
{
    public const string IndexName = "model.safetensors.index.json";

    public static string ShardName(int index, int count) => $"model-{index + 1:D5}-of-{count:D5}.safetensors";

    /// <summary>
    /// Cuts the tensors, in model order, into <paramref name="count"/> contiguous runs of about equal bytes (as
    /// save_pretrained's max_shard_size does, a tensor is never split); every run holds at least one tensor.
    /// </summary>
    public static List<List<int>> Split(IReadOnlyList<TensorSpec> tensors, int count)
    {
        long total = tensors.Sum(t => t.Bytes);
        var parts = new List<List<int>> { new() };
        long sum = 0;
        for (int g = 0; g < tensors.Count; g++)
        {
            int tensorsLeft = tensors.Count - g;
            int shardsStillEmpty = count - parts.Count;
            bool full = parts[^1].Count > 0 && sum >= total * parts.Count / count;
            if (parts.Count < count && parts[^1].Count > 0 && (full || tensorsLeft <= shardsStillEmpty))
            {
                parts.Add(new List<int>());
            }

            parts[^1].Add(g);
            sum += tensors[g].Bytes;
        }

        return parts;
    }

    public static void WriteIndex(string path, long totalSize, SortedDictionary<string, string> weightMap)
    {
        using var fs = File.Create(path);
        using var w = new Utf8JsonWriter(fs, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartObject("metadata");
        w.WriteNumber("total_size", totalSize);
        w.WriteEndObject();
        w.WriteStartObject("weight_map");
        foreach (var (tensor, shard) in weightMap) w.WriteString(tensor, shard);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The shard file of each tensor, from an index.json's weight_map.</summary>
    public static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{indexPath}: no \"weight_map\" object");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in map.EnumerateObject())
        {
            string shard = p.Value.GetString() ?? "";
            if (shard.Length == 0 || shard != Path.GetFileName(shard))
                throw new InvalidDataException($"{indexPath}: '{p.Name}' maps to '{shard}', not a file name in the same folder");
            result[p.Name] = shard;
        }

        return result;
    }
}
