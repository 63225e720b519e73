namespace GitTheta.Core.Tests.Support;

/// <summary>
/// Damage the way a disk fault or a restore that keeps timestamps does: one bit flipped in place, the size and the
/// modification time exactly as they were, so nothing but the bytes tells the file changed.
/// </summary>
internal static class SilentCorruption
{
    public static void FlipBit(string path, long offset, byte mask = 0x01)
    {
        var info = new FileInfo(path);
        var (size, modified) = (info.Length, info.LastWriteTimeUtc);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = offset < 0 ? file.Length + offset : offset;
            var value = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(value ^ mask));
        }

        File.SetLastWriteTimeUtc(path, modified);
        info.Refresh();
        Assert.Equal(size, info.Length);
        Assert.Equal(modified, info.LastWriteTimeUtc);
    }
}
