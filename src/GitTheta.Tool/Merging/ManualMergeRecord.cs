using System.Security.Cryptography;
using System.Text;

namespace GitTheta.Tool.Merging;

/// <summary>
/// The side files that manual merges wrote (model.ours.safetensors, …), with the SHA-256 of what was written, kept
/// in the git directory. It is how git-theta tells its own files from the user's: a file of such a name is git-theta's
/// only while it is a regular, untracked file that still holds exactly those bytes. Anything else, an edited side
/// file, a file the user made, a tracked symlink, is never overwritten or removed.
/// </summary>
internal sealed class ManualMergeRecord
{
    private readonly string file;
    private readonly List<Entry> entries;

    private ManualMergeRecord(string file, List<Entry> entries)
    {
        this.file = file;
        this.entries = entries;
    }

    /// <summary>The record kept in <paramref name="folder"/> (empty when there is none yet).</summary>
    public static ManualMergeRecord Load(string folder)
    {
        var file = Path.Combine(folder, "written");
        var entries = new List<Entry>();
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file, Encoding.UTF8))
            {
                // <sha256> TAB <merged path> TAB <side file>; a line that does not parse protects nothing and is dropped.
                var parts = line.Split('\t');
                if (parts.Length == 3 && parts[0].Length == 64)
                {
                    entries.Add(new Entry(parts[0], parts[1], parts[2]));
                }
            }
        }

        return new ManualMergeRecord(file, entries);
    }

    /// <summary>SHA-256 of a file's bytes, lower-case hex.</summary>
    public static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>Side files recorded for the merge of <paramref name="mergedPath"/> (repository-relative).</summary>
    public IReadOnlyList<string> SideFilesOf(string mergedPath) =>
        entries.Where(e => e.MergedPath == mergedPath).Select(e => e.SideFile).ToList();

    /// <summary>
    /// True when <paramref name="fullPath"/> (the side file <paramref name="sideFile"/>) is a regular file that still
    /// holds the bytes a manual merge wrote there. Tracking is checked by the caller, which has git.
    /// </summary>
    public bool HoldsWhatWasWritten(string sideFile, string fullPath)
    {
        var entry = entries.LastOrDefault(e => e.SideFile == sideFile);
        var info = new FileInfo(fullPath);
        return entry is not null && info.Exists && info.LinkTarget is null && Hash(fullPath) == entry.Sha256;
    }

    public void Add(string sha256, string mergedPath, string sideFile)
    {
        // A path with a tab or line break cannot be recorded; unrecorded, the file is simply never treated as git-theta's.
        if ((mergedPath + sideFile).IndexOfAny(new[] { '\t', '\n', '\r' }) >= 0)
        {
            return;
        }

        entries.RemoveAll(e => e.SideFile == sideFile);
        entries.Add(new Entry(sha256, mergedPath, sideFile));
    }

    public void Remove(string sideFile) => entries.RemoveAll(e => e.SideFile == sideFile);

    /// <summary>Writes the record (temp file and rename, so a killed merge leaves the old record or the new one).</summary>
    public void Save(string workTree)
    {
        // Entries whose file is gone protect nothing.
        entries.RemoveAll(e => !File.Exists(Path.Combine(workTree, e.SideFile)));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temp = file + "." + Environment.ProcessId + ".tmp";
        File.WriteAllLines(temp, entries.Select(e => $"{e.Sha256}\t{e.MergedPath}\t{e.SideFile}"), new UTF8Encoding(false));
        File.Move(temp, file, overwrite: true);
    }

    private sealed record Entry(string Sha256, string MergedPath, string SideFile);
}
