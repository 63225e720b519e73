using System.Text.Json;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Repositories;

/// <summary>
/// The index of a sharded checkpoint, as transformers writes it (<c>model.safetensors.index.json</c> beside
/// <c>model-0000N-of-0000M.safetensors</c>): a <c>weight_map</c> from each parameter group to the shard file that holds
/// it, named relative to the index's folder.
/// </summary>
internal sealed class ShardIndex
{
    /// <summary>How a shard index's name ends (model.safetensors.index.json, pytorch_model.bin.index.json).</summary>
    public const string Suffix = ".index.json";

    /// <summary>The largest index read; transformers writes a few hundred bytes per group.</summary>
    public const long MaxBytes = 64L << 20;

    private ShardIndex(string path, IReadOnlyDictionary<string, string> weightMap)
    {
        Path = path;
        WeightMap = weightMap;
        Shards = weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The index's repository-relative path.</summary>
    public string Path { get; }

    /// <summary>Each group and the repository-relative path of the shard that holds it.</summary>
    public IReadOnlyDictionary<string, string> WeightMap { get; }

    /// <summary>The shards' repository-relative paths, sorted, each once.</summary>
    public IReadOnlyList<string> Shards { get; }

    /// <summary>The folder the index and its shards are in ("" for the top of the repository).</summary>
    public string Folder => FolderOf(Path);

    public static bool IsIndexPath(string path) => path.EndsWith(Suffix, StringComparison.Ordinal);

    /// <summary>The folder part of a repository-relative path, with its trailing '/'; "" at the top.</summary>
    public static string FolderOf(string path) => path.LastIndexOf('/') is var slash and >= 0 ? path[..(slash + 1)] : string.Empty;

    /// <param name="where">Where the index was read, for messages ("HEAD:models/model.safetensors.index.json").</param>
    /// <exception cref="ThetaException">GT2036 when the bytes are not a shard index.</exception>
    public static ShardIndex Parse(byte[] bytes, string path, string where)
    {
        var folder = FolderOf(path);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var weightMap)
                || weightMap.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(where, "has no \"weight_map\" object");
            }

            foreach (var group in weightMap.EnumerateObject())
            {
                if (group.Value.ValueKind != JsonValueKind.String || group.Value.GetString() is not { Length: > 0 } shard)
                {
                    throw Invalid(where, $"maps '{group.Name}' to {group.Value.ValueKind.ToString().ToLowerInvariant()}, not to a shard file name");
                }

                if (shard.Contains('\\') || shard.StartsWith('/') || shard.Split('/').Any(part => part is "" or "." or ".."))
                {
                    throw Invalid(where, $"maps '{group.Name}' to '{shard}', which is not a file in the index's folder");
                }

                map[group.Name] = folder + shard;
            }
        }
        catch (JsonException e)
        {
            throw Invalid(where, $"is not JSON ({e.Message})");
        }

        if (map.Count == 0)
        {
            throw Invalid(where, "has an empty \"weight_map\"");
        }

        return new ShardIndex(path, map);
    }

    /// <summary>
    /// Where the index and the shards' own groups disagree, one sentence each: a group the weight_map places in a
    /// shard that lacks it, and a group a shard holds that the weight_map places elsewhere or not at all.
    /// </summary>
    /// <param name="groupsByShard">Each shard's path and the groups it holds.</param>
    public IReadOnlyList<string> Disagreements(IReadOnlyDictionary<string, IReadOnlyCollection<string>> groupsByShard)
    {
        var found = new List<string>();
        foreach (var (group, shard) in WeightMap.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (groupsByShard.TryGetValue(shard, out var groups) && !groups.Contains(group))
            {
                found.Add($"the weight_map places '{group}' in '{shard}', which has no such group");
            }
        }

        foreach (var (shard, groups) in groupsByShard.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var group in groups.Order(StringComparer.Ordinal))
            {
                if (!WeightMap.TryGetValue(group, out var mapped))
                {
                    found.Add($"'{shard}' holds '{group}', which the weight_map does not name");
                }
                else if (mapped != shard)
                {
                    found.Add($"'{shard}' holds '{group}', which the weight_map places in '{mapped}'");
                }
            }
        }

        return found;
    }

    /// <summary>The one shard index among a folder's files (repository-relative paths); null when there is none.</summary>
    /// <exception cref="ThetaException">GT2036 when the folder holds more than one, so the caller must name one.</exception>
    public static string? FindInFolder(IEnumerable<string> files, string folder, string where)
    {
        var indexes = files.Where(f => IsIndexPath(f) && FolderOf(f) == folder).Order(StringComparer.Ordinal).ToList();
        return indexes.Count switch
        {
            0 => null,
            1 => indexes[0],
            _ => throw new ThetaException(DiagnosticIds.ShardIndexInvalid, $"{where} holds {indexes.Count} shard indexes ({string.Join(", ", indexes)}); name the index of the model you mean."),
        };
    }

    private static ThetaException Invalid(string where, string what) =>
        new(DiagnosticIds.ShardIndexInvalid, $"{where} {what}, so it is not a shard index (a JSON object whose \"weight_map\" names each group's shard file in the same folder); give the index of a sharded checkpoint as transformers writes it, or one shard.");
}
