namespace GitTheta.Core.Checkpoints;

/// <summary>What every reader of an <see cref="ICheckpointReader"/> would otherwise write again.</summary>
internal static class CheckpointReaderExtensions
{
    /// <summary>
    /// Reads the current group's data until <paramref name="destination"/> is full or the data ends (a reader may hand
    /// it over in pieces); returns how many bytes were read, short of the length only for a truncated file.
    /// </summary>
    public static int ReadFully(this ICheckpointReader reader, Span<byte> destination)
    {
        var read = 0;
        while (read < destination.Length)
        {
            var n = reader.ReadData(destination[read..]);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }
}
