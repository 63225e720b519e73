using System.Globalization;

namespace GitTheta.Tool.Infrastructure;

/// <summary>Byte counts for people: B, KiB, MiB, GiB with one decimal (two for GiB), the same in every culture.</summary>
internal static class ByteSize
{
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
    };
}
