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
internal static class TorchArchive
{
    public const string PickleName = "data.pkl";

    /// <summary>torch.save of PyTorch before 1.6 (or with _use_new_zipfile_serialization=False) starts with this pickled magic number.</summary>
    public static ReadOnlySpan<byte> LegacyMagic => new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

    public static ReadOnlySpan<byte> ZipMagic => "PK\u0003\u0004"u8;

    public static string ResaveAdvice => "load it with a recent PyTorch and save it again: torch.save(torch.load(path), path, _use_new_zipfile_serialization=True)";

    /// <summary>Refuses what is not a torch.save zip from its first bytes: empty, the legacy format, not a zip.</summary>
    public static void CheckStart(ReadOnlySpan<byte> start, string path)
    {
        if (start.Length == 0)
        {
            throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file is empty, not a PyTorch checkpoint.");
        }

        if (start.StartsWith(LegacyMagic))
        {
            throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: is in PyTorch's legacy serialization format (before 1.6, or saved with _use_new_zipfile_serialization=False), which git-theta does not read; {ResaveAdvice}.");
        }

        if (!start.StartsWith(ZipMagic))
        {
            // "PK" and nothing more is a zip cut short; anything else is not a zip at all.
            var cutShort = start.Length < ZipMagic.Length && ZipMagic.StartsWith(start);
            throw new ThetaException(
                cutShort ? DiagnosticIds.TruncatedCheckpoint : DiagnosticIds.InvalidCheckpoint,
                $"{path}: is not a PyTorch zip checkpoint (torch.save since PyTorch 1.6); if it was saved by an older PyTorch, {ResaveAdvice}.");
        }
    }

    /// <summary>The groups of a whole torch.save file (or of its skeleton, to check what was read from a stream), in file order.</summary>
    public static IReadOnlyList<SplicedRange> FindGroups(IByteSource file, string path)
    {
        CheckStart(file.ReadBytes(0, (int)Math.Min(file.Length, LegacyMagic.Length)), path);

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

        var (storages, groups) = ReadPickle(file.ReadBytes(pickleEntry.DataOffset, (int)pickleEntry.Size), path);
        var ranges = new List<SplicedRange>();
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

            // A storage referenced only where no tensor is named (an object's state) has no group: its bytes stay in the container.
            if (groups.TryGetValue(key, out var info))
            {
                ranges.Add(new SplicedRange(info, entry.DataOffset, entry.Crc32At));
            }
        }

        ranges.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return ranges;
    }

    /// <summary>
    /// Runs the restricted unpickler on data.pkl: every storage it refers to, by key, and the group of each
    /// storage a tensor uses (named after its first tensor; the tensor's shape when every use is the plain
    /// view of all of it, else the storage's element count).
    /// </summary>
    public static (IReadOnlyDictionary<string, TorchStorageRef> Storages, IReadOnlyDictionary<string, TensorInfo> Groups) ReadPickle(byte[] pickle, string path)
    {
        var where = $"{path}: {PickleName}";
        var rules = new TorchPickleRules(where);
        var views = TorchStateDict.Tensors(PickleMachine.Run(pickle, rules, where), where);
        var groups = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var users in views.GroupBy(v => v.View.Storage.Key, StringComparer.Ordinal))
        {
            var first = users.First();
            if (!names.Add(first.Name))
            {
                throw new ThetaException(DiagnosticIds.InvalidCheckpoint, $"{path}: two tensors would both be named '{first.Name}' (keys joined with '{TorchStateDict.Separator}' collide); rename one of the keys.");
            }

            var storage = first.View.Storage;
            var plain = users.All(u => u.View.CoversStorageContiguously && u.View.Size.SequenceEqual(first.View.Size));
            groups[users.Key] = new TensorInfo(first.Name, storage.DType, plain ? first.View.Size.ToArray() : new[] { storage.ElementCount });
        }

        return (rules.Storages, groups);
    }
}
