using GitTheta.Core.Checkpoints;
using GitTheta.Core.Diagnostics;

namespace GitTheta.Core.Updates;

/// <summary>
/// Side-loaded update data (<c>git theta add --update-data FILE</c>): a checkpoint in any supported format whose
/// tensors are named <c>&lt;group&gt;/&lt;key&gt;</c>, e.g. <c>encoder.query.weight/R</c> and <c>…/C</c> for low-rank
/// factors. It is read whole: update data is small next to the model it updates.
/// </summary>
internal sealed class UpdateData
{
    private readonly Dictionary<string, UpdateTensor> tensors;

    private UpdateData(string path, Dictionary<string, UpdateTensor> tensors)
    {
        Path = path;
        this.tensors = tensors;
    }

    public string Path { get; }

    public IReadOnlyCollection<string> Names => tensors.Keys;

    public static UpdateData Load(string path, CheckpointFormatRegistry formats)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"cannot read the update data '{path}' ({e.Message}); give an existing checkpoint file to --update-data.");
        }

        using (file)
        {
            using var reader = formats.Open(file, path, unknown: () => new ThetaException(DiagnosticIds.UnknownFormat, $"the update data '{path}' is not a checkpoint format git-theta reads. Supported formats: {formats.SupportedNames}."));
            var loaded = new Dictionary<string, UpdateTensor>(StringComparer.Ordinal);
            while (reader.Next() is { } info)
            {
                if (info.ByteLength > Array.MaxLength)
                {
                    throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"the update data '{path}' holds '{info.Name}' of {info.ByteLength} bytes, more than one update tensor may have.");
                }

                var data = GC.AllocateUninitializedArray<byte>((int)info.ByteLength);
                if (reader.ReadFully(data) != data.Length)
                {
                    throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"the update data '{path}' ends inside '{info.Name}'.");
                }

                loaded[info.Name] = new UpdateTensor(info, data);
            }

            reader.Complete();
            return new UpdateData(path, PeftAdapter.Is(loaded.Keys) ? PeftAdapter.ToUpdateData(path, loaded) : loaded);
        }
    }

    /// <summary>The group's tensors by key, or null when the update data has none of them; some but not all is GT2019.</summary>
    public IReadOnlyDictionary<string, UpdateTensor>? For(string group, IReadOnlyList<string> keys, string where)
    {
        var found = new Dictionary<string, UpdateTensor>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (tensors.TryGetValue(group + "/" + key, out var tensor))
            {
                found[key] = tensor;
            }
        }

        if (found.Count == 0)
        {
            return null;
        }

        if (found.Count < keys.Count)
        {
            var missing = keys.Where(k => !found.ContainsKey(k)).Select(k => $"'{group}/{k}'");
            throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"{where}: the update data '{Path}' has {string.Join(" and ", found.Keys.Select(k => $"'{group}/{k}'"))} but not {string.Join(" and ", missing)}; give all of them, or none.");
        }

        return found;
    }

    /// <summary>Tensor names that are not &lt;group&gt;/&lt;key&gt; for any of the groups and keys (a typo would otherwise do nothing).</summary>
    public IReadOnlyList<string> Unmatched(IReadOnlySet<string> groups, IReadOnlyList<string> keys) =>
        tensors.Keys
            .Where(name =>
            {
                var slash = name.LastIndexOf('/');
                return slash <= 0 || !keys.Contains(name[(slash + 1)..]) || !groups.Contains(name[..slash]);
            })
            .Order(StringComparer.Ordinal)
            .ToList();
}
