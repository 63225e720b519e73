using System.IO.Hashing;

namespace GitTheta.Core.Hashing;

/// <summary>
/// The XXH3-64 of each fixed-size chunk of a streamed group's bytes (the last chunk may be shorter), kept in the
/// metadata beside the whole value's <see cref="ContentHash"/>. The next clean of the group compares each chunk it reads
/// with these instead of reading the stored value back: a re-add or a change of a multi-gigabyte checkpoint then reads
/// nothing from the store until a chunk differs, and only the matching prefix then.
/// </summary>
/// <param name="ChunkBytes">The bytes each fingerprint covers (a multiple of 8, so no element straddles two chunks).</param>
/// <param name="Hashes">One fingerprint per chunk, in order.</param>
internal sealed record ChunkFingerprints(int ChunkBytes, IReadOnlyList<ulong> Hashes)
{
    /// <summary>The smallest chunk metadata may name (one element of the widest dtype; the list's length is checked against the value's).</summary>
    public const int MinChunkBytes = sizeof(double);

    /// <summary>The largest chunk metadata may name (the largest array a clean reads into).</summary>
    public const int MaxChunkBytes = 1 << 30;

    public static ulong Of(ReadOnlySpan<byte> chunk) => XxHash3.HashToUInt64(chunk);

    /// <summary>How many chunks of <paramref name="chunkBytes"/> cover <paramref name="byteLength"/> bytes.</summary>
    public static long CountFor(long byteLength, int chunkBytes) => (byteLength + chunkBytes - 1) / chunkBytes;

    /// <summary>Whether these fingerprints describe a value of <paramref name="byteLength"/> bytes read in chunks of <paramref name="chunkBytes"/>.</summary>
    public bool Covers(long byteLength, int chunkBytes) => ChunkBytes == chunkBytes && Hashes.Count == CountFor(byteLength, chunkBytes);

    /// <summary>Whether <paramref name="chunkBytes"/> is a size metadata may record.</summary>
    public static bool IsValidChunkSize(long chunkBytes) => chunkBytes is >= MinChunkBytes and <= MaxChunkBytes && chunkBytes % sizeof(double) == 0;
}
