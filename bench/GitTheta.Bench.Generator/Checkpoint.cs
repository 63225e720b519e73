namespace GitTheta.Bench.Generator;

/// <summary>One tensor of a checkpoint and where its bytes are: the shard file (name only) and that file's data start.</summary>
internal sealed record ShardTensor(TensorInfo Tensor, string Shard, long DataStart);

/// <summary>
/// A single safetensors file or a folder of shards with model.safetensors.index.json, seen as one list of tensors
/// (shard by shard, each in file order), so perturb and info treat both alike.
/// </summary>
internal sealed class Checkpoint
{
    private Checkpoint(string path, bool isFolder, List<string> shardNames, List<ShardTensor> tensors, long fileBytes)
    {
        Path = path;
        IsFolder = isFolder;
        ShardNames = shardNames;
        Tensors = tensors;
        FileBytes = fileBytes;
    }

    public string Path { get; }

    public bool IsFolder { get; }

    public List<string> ShardNames { get; }

    public List<ShardTensor> Tensors { get; }

    /// <summary>The bytes of every safetensors file (the index.json is not counted).</summary>
    public long FileBytes { get; }

    public static Checkpoint Open(string path)
    {
        if (!Directory.Exists(path))
        {
            var file = SafetensorsHeader.Read(path);
            string name = System.IO.Path.GetFileName(path);
            return new Checkpoint(path, false, new List<string> { name },
                file.Tensors.Select(t => new ShardTensor(t, name, file.DataStart)).ToList(), file.Length);
        }

        string indexPath = System.IO.Path.Combine(path, Sharding.IndexName);
        if (!File.Exists(indexPath)) throw new InvalidDataException($"{path}: a folder without {Sharding.IndexName}");
        var weightMap = Sharding.ReadWeightMap(indexPath);
        var shardNames = weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var tensors = new List<ShardTensor>();
        long bytes = 0;
        foreach (var shard in shardNames)
        {
            var file = SafetensorsHeader.Read(System.IO.Path.Combine(path, shard));
            bytes += file.Length;
            foreach (var t in file.Tensors)
            {
                if (!weightMap.TryGetValue(t.Name, out var mapped) || mapped != shard)
                    throw new InvalidDataException($"{path}: '{t.Name}' is in {shard} but the weight_map says '{mapped ?? "nothing"}'");
                tensors.Add(new ShardTensor(t, shard, file.DataStart));
            }
        }

        if (tensors.Count != weightMap.Count)
            throw new InvalidDataException($"{path}: the weight_map names {weightMap.Count} tensors, the shards hold {tensors.Count}");
        return new Checkpoint(path, true, shardNames, tensors, bytes);
    }

    /// <summary>Copies the file, or the index and every shard into the folder <paramref name="destination"/>.</summary>
    public void CopyTo(string destination)
    {
        if (!IsFolder)
        {
            File.Copy(Path, destination, overwrite: true);
            return;
        }

        Directory.CreateDirectory(destination);
        File.Copy(System.IO.Path.Combine(Path, Sharding.IndexName), System.IO.Path.Combine(destination, Sharding.IndexName), overwrite: true);
        foreach (var shard in ShardNames)
        {
            File.Copy(System.IO.Path.Combine(Path, shard), System.IO.Path.Combine(destination, shard), overwrite: true);
        }
    }

    /// <summary>Where <paramref name="shard"/> is in a copy of this checkpoint at <paramref name="root"/>.</summary>
    public string ShardPath(string root, string shard) => IsFolder ? System.IO.Path.Combine(root, shard) : root;
}
