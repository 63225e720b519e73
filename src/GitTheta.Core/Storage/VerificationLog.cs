using System.Globalization;
using System.Text;

namespace GitTheta.Core.Storage;

/// <summary>
/// Remembers which stored objects were hashed and found intact, with the size and modification time
/// they had then (lfs/theta-verified, one line per object, appended). An object is hashed when it is
/// written or first read and again whenever its file changes; `git theta verify` always rehashes.
/// This keeps checkout from re-hashing every byte of every model on every checkout.
/// </summary>
public sealed class VerificationLog
{
    private readonly string path;
    private readonly object gate = new();
    private Dictionary<string, (long Size, long Ticks)>? entries;

    public VerificationLog(string lfsRoot)
    {
        path = Path.Combine(lfsRoot, "theta-verified");
    }

    public bool IsVerified(string oid, FileInfo file)
    {
        lock (gate)
        {
            Load();
            return entries!.TryGetValue(oid, out var stamp) && file.Exists && stamp.Size == file.Length && stamp.Ticks == file.LastWriteTimeUtc.Ticks;
        }
    }

    public void Record(string oid, FileInfo file)
    {
        file.Refresh();
        if (!file.Exists)
        {
            return;
        }

        var stamp = (file.Length, file.LastWriteTimeUtc.Ticks);
        lock (gate)
        {
            Load();
            if (entries!.TryGetValue(oid, out var known) && known == stamp)
            {
                return;
            }

            entries[oid] = stamp;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);

                // One short line per append: concurrent writers with O_APPEND do not interleave within a line.
                using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                stream.Write(Encoding.ASCII.GetBytes(Line(oid, stamp)));
            }
            catch (IOException)
            {
                // Without the log the object is simply hashed again next time.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Drops deleted objects from the log by writing the rest to a temp file and renaming it over the log, so a reader
    /// sees the old log or the new one, never half of one.
    /// </summary>
    public void Forget(IReadOnlyCollection<string> oids)
    {
        if (oids.Count == 0)
        {
            return;
        }

        lock (gate)
        {
            // Read afresh: other processes may have appended since this one loaded the log. An append that lands
            // between this read and the rename is lost, which only means that object is hashed again on its next read.
            entries = null;
            Load();
            var removed = false;
            foreach (var oid in oids)
            {
                removed |= entries!.Remove(oid);
            }

            if (!removed)
            {
                return;
            }

            var temp = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
            try
            {
                using (var writer = new StreamWriter(temp, append: false, Encoding.ASCII))
                {
                    foreach (var (oid, stamp) in entries!)
                    {
                        writer.Write(Line(oid, stamp));
                    }
                }

                File.Move(temp, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A log that still names a deleted object is harmless: a missing file is never "verified".
                try
                {
                    File.Delete(temp);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    private static string Line(string oid, (long Size, long Ticks) stamp) =>
        string.Create(CultureInfo.InvariantCulture, $"{oid} {stamp.Size} {stamp.Ticks}\n");

    private void Load()
    {
        if (entries is not null)
        {
            return;
        }

        entries = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(path))
            {
                return;
            }

            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split(' ');
                if (parts.Length == 3 && ObjectId.IsValid(parts[0])
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                    && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                {
                    entries[parts[0]] = (size, ticks);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
