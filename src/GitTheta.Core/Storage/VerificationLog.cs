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
                stream.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{oid} {stamp.Length} {stamp.Ticks}\n")));
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
