using GitTheta.Core.Checkpoints.Splicing;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Tensors;

namespace GitTheta.Core.Checkpoints.PyTorch;

/// <summary>
/// A torch.save zip archive as parameter groups. A group is one storage (zip entry
/// <c>&lt;archive&gt;/data/&lt;key&gt;</c>), because storages are what the file holds: tensors that share
/// a storage (tied weights, views) share one group, and the unchanged pickle reproduces the sharing.
/// A group is named after the first tensor (in pickle order) that uses its storage, and has that
/// tensor's shape when every tensor using the storage is the plain contiguous view of all of it;
/// otherwise (transposed or offset views, slices, shared storages with different views) it is the
/// storage itself, one-dimensional.
/// </summary>
public static class TorchArchive
{
    public const string PickleName = "data.pkl";

    /// <summary>torch.save of PyTorch before 1.6 (or with _use_new_zipfile_serialization=False) starts with this pickled magic number.</summary>
    public static ReadOnlySpan<byte> LegacyMagic => new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

    public static ReadOnlySpan<byte> ZipMagic => "PK\u0003\u0004"u8;

    public static string ResaveAdvice => "load it with a recent PyTorch and save it again: torch.save(torch.load(path), path, _use_new_zipfile_serialization=True)";

    public static IReadOnlyList<SplicedRange> FindGroups(SpooledFile file, string path)
    {
        var start = file.ReadBytes(0, (int)Math.Min(file.Length, LegacyMagic.Length));
        if (start.Length == 0)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file is empty, not a PyTorch checkpoint.");
        }

        if (start.AsSpan().SequenceEqual(LegacyMagic))
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: is in PyTorch's legacy serialization format (before 1.6, or saved with _use_new_zipfile_serialization=False), which git-theta does not read; {ResaveAdvice}.");
        }

        if (!start.AsSpan().StartsWith(ZipMagic))
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: is not a PyTorch zip checkpoint (torch.save since PyTorch 1.6); if it was saved by an older PyTorch, {ResaveAdvice}.");
        }

        var zip = ZipDirectory.Read(file, path);
        if (zip.Entries.Count == 0)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: the zip archive is empty, not a PyTorch checkpoint.");
        }

        // PyTorch's reader takes the archive folder from the first entry and finds every record under it.
        var first = zip.Entries[0].Name;
        var slash = first.IndexOf('/', StringComparison.Ordinal);
        var folder = slash < 0 ? string.Empty : first[..(slash + 1)];
        var entries = zip.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        if (!entries.TryGetValue(folder + PickleName, out var pickleEntry))
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: the zip archive has no {folder}{PickleName}, so it is not a torch.save checkpoint (TorchScript archives from torch.jit.save are not supported).");
        }

        if (pickleEntry.Size > SplicedReader.MaxSkeletonLength)
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: {PickleName} is {pickleEntry.Size} bytes, more than git-theta reads ({SplicedReader.MaxSkeletonLength}).");
        }

        var where = $"{path}: {PickleName}";
        var rules = new TorchPickleRules(where);
        var root = PickleMachine.Run(file.ReadBytes(pickleEntry.DataOffset, (int)pickleEntry.Size), rules, where);
        var views = TorchStateDict.Tensors(root, where);
        return Group(views, rules.Storages, entries, folder, path);
    }

    private static List<SplicedRange> Group(
        IReadOnlyList<(string Name, TorchTensorView View)> views,
        IReadOnlyDictionary<string, TorchStorageRef> storages,
        IReadOnlyDictionary<string, ZipEntry> entries,
        string folder,
        string path)
    {
        var byStorage = views.GroupBy(v => v.View.Storage.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var ranges = new List<SplicedRange>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, storage) in storages)
        {
            var entryName = $"{folder}data/{key}";
            if (!entries.TryGetValue(entryName, out var entry))
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: {PickleName} refers to storage '{key}' but the archive has no entry {entryName}; the file is corrupt.");
            }

            if (entry.Size != storage.ByteLength)
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: storage '{key}' is {storage.StorageType}[{storage.ElementCount}] ({storage.ByteLength} bytes) but its entry {entryName} holds {entry.Size} bytes; the file is corrupt.");
            }

            if (!byStorage.TryGetValue(key, out var users))
            {
                // Referenced only from somewhere no tensor is named (an object's state): its bytes stay in the container.
                continue;
            }

            var name = users[0].Name;
            if (!names.Add(name))
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: two tensors would both be named '{name}' (keys joined with '{TorchStateDict.Separator}' collide); rename one of the keys.");
            }

            var plain = users.All(u => u.View.CoversStorageContiguously && u.View.Size.SequenceEqual(users[0].View.Size));
            var shape = plain ? users[0].View.Size : new[] { storage.ElementCount };
            ranges.Add(new SplicedRange(new TensorInfo(name, storage.DType, shape.ToArray()), entry.DataOffset, entry.Crc32At));
        }

        ranges.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return ranges;
    }
}
