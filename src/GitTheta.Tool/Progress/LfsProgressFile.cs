using System.Globalization;

namespace GitTheta.Tool.Progress;

/// <summary>
/// git-lfs's GIT_LFS_PROGRESS convention: when it names a file, progress is appended to it as lines
/// <c>&lt;direction&gt; &lt;current&gt;/&lt;total files&gt; &lt;bytes done&gt;/&lt;bytes total&gt; &lt;name&gt;</c>, so a GUI that
/// watches the file for git-lfs sees git-theta's downloads and checkouts the same way.
/// </summary>
internal sealed class LfsProgressFile : IDisposable
{
    private readonly string direction;
    private readonly StreamWriter writer;

    private LfsProgressFile(string direction, StreamWriter writer)
    {
        this.direction = direction;
        this.writer = writer;
    }

    /// <summary>Null when the variable is unset or the file cannot be opened: progress must never fail the work it reports on.</summary>
    public static LfsProgressFile? Open(ProgressSettings settings, string direction)
    {
        if (settings.ProgressFile is not { } path)
        {
            return null;
        }

        try
        {
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            return new LfsProgressFile(direction, new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    public void Write(int current, int total, long bytesDone, long bytesTotal, string name)
    {
        try
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{direction} {current}/{total} {bytesDone}/{bytesTotal} {name}"));
        }
        catch (IOException)
        {
            // A full disk or a removed file ends the reporting, not the checkout.
        }
    }

    public void Dispose()
    {
        try
        {
            writer.Dispose();
        }
        catch (IOException)
        {
        }
    }
}
