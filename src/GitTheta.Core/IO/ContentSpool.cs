namespace GitTheta.Core.IO;

/// <summary>
/// Holds content that must be read in full before a reply can start (git's filter protocol sends
/// the whole request first): in memory while small, in a temp file past that, so size costs no memory.
/// </summary>
internal sealed class ContentSpool : IDisposable
{
    private const int MemoryLimit = 16 << 20;
    private readonly MemoryStream memory = new();
    private FileStream? file;

    public static ContentSpool From(byte[] head, Stream rest)
    {
        var spool = new ContentSpool();
        spool.Write(head);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = rest.Read(buffer)) > 0)
        {
            spool.Write(buffer.AsSpan(0, read));
        }

        return spool;
    }

    public void CopyTo(Stream output)
    {
        if (file is null)
        {
            memory.Position = 0;
            memory.CopyTo(output);
            return;
        }

        file.Position = 0;
        file.CopyTo(output, 1 << 20);
    }

    public void Dispose()
    {
        memory.Dispose();
        file?.Dispose();
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        if (file is null && memory.Length + data.Length > MemoryLimit)
        {
            file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            memory.Position = 0;
            memory.CopyTo(file);
            memory.SetLength(0);
        }

        if (file is not null)
        {
            file.Write(data);
        }
        else
        {
            memory.Write(data);
        }
    }
}
