using System.IO.Hashing;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Filters;

/// <summary>
/// Cleans a group too large for one array (over <see cref="ThetaSettings.LargeGroupBytes"/>, 2 GiB by default, as the
/// embedding matrices of large language models are), or a dense group over <see cref="ThetaSettings.StreamGroupBytes"/>
/// that need not be held whole. Its bytes are read once, in chunks, and each chunk goes to the
/// fingerprint, the LSH and a dense object being written, so memory stays at one chunk. The unchanged rule is the
/// same as for other groups; when the LSH cannot decide, the stored value is streamed against the one just written.
/// Such groups are always stored dense: the update types need the whole value in memory.
/// </summary>
internal sealed class LargeGroupCleaner
{
    /// <summary>
    /// A multiple of every element size; large enough that the per-chunk work is a small share, small enough that the
    /// chunk git's bytes are read into and the stored chunk it is compared with are still in the caches when the hashing
    /// thread reads them (32 MiB chunks made a 4 GiB re-add 40% slower). Two chunks are in memory (one hashed and written
    /// while the next is read), and a third while a re-add compares with the stored value.
    /// </summary>
    internal const int ChunkBytes = 4 << 20;

    private const int FirstChunkBytes = 1 << 20;

    private readonly ThetaSettings settings;
    private readonly EuclideanLsh lsh;
    private byte[] spareChunk = Array.Empty<byte>();
    private byte[] spareStored = Array.Empty<byte>();
    private byte[] spareNext = Array.Empty<byte>();
    private long storedBytesRead;

    public LargeGroupCleaner(ThetaSettings settings, EuclideanLsh lsh)
    {
        this.settings = settings;
        this.lsh = lsh;
    }

    /// <summary>How many bytes of stored values this cleaner has read, to compare with or to copy a matching prefix from.</summary>
    public long StoredBytesRead => storedBytesRead;

    /// <param name="old">The previous entry of a group with the same name, dtype and shape, or null.</param>
    public ParameterEntry Process(TensorInfo info, ICheckpointReader reader, ParameterEntry? old, StagingContext context)
    {
        using var streamed = DenseObject.BeginStreamed(context.Transaction, info);
        var fingerprint = new XxHash3();
        var signature = lsh.CreateIncremental(info.DType, settings.MaxConcurrency);

        // Chunks never exceed the large-group or stream size (memory stays at one chunk; tests that lower them see many
        // chunks). Every chunk but the last is this size: each is one entry of the chunk fingerprints.
        var chunkBytes = (int)Math.Max(sizeof(double), Math.Min(ChunkBytes, Math.Min(settings.LargeGroupBytes, settings.StreamGroupBytes)) & ~(sizeof(double) - 1L));
        // The buffers grow with the bytes that actually arrive, so a header that merely claims a huge group costs no
        // memory; those of the previous group are used again (fresh ones per group piled up as garbage, hundreds of MB).
        var first = (int)Math.Min(Math.Min(FirstChunkBytes, chunkBytes), info.ByteLength);
        var buffer = spareChunk.Length >= first && spareChunk.Length <= chunkBytes ? spareChunk : GC.AllocateUninitializedArray<byte>(first);

        // A re-added checkpoint mostly repeats the stored value: while the bytes match it, nothing is written, and at
        // the first difference the matching prefix is copied from the stored object. Whether they match is judged by
        // the old entry's chunk fingerprints when it has them, so the stored value is read only for that prefix;
        // without them each chunk is compared with the stored value as it is read.
        var oldChunks = UsableChunks(info, old, context, chunkBytes);
        using var stored = oldChunks is null ? OpenStoredValue(info, old, context) : null;
        var storedChunk = stored is null ? null : spareStored.Length >= buffer.Length ? spareStored : GC.AllocateUninitializedArray<byte>(buffer.Length);
        try
        {
            var matching = new Matching(this, old, oldChunks, stored);
            return Process(info, reader, context, streamed, fingerprint, signature, chunkBytes, ref buffer, matching, ref storedChunk);
        }
        finally
        {
            spareChunk = buffer;
            spareStored = storedChunk ?? spareStored;
        }
    }

    private ParameterEntry Process(TensorInfo info, ICheckpointReader reader, StagingContext context, StreamedObject streamed, XxHash3 fingerprint, EuclideanLsh.Incremental signature, int chunkBytes, ref byte[] buffer, Matching matching, ref byte[]? storedChunk)
    {
        var old = matching.Old;
        var overlap = settings.MaxConcurrency > 1;
        var chunkHashes = new List<ulong>();

        // While one chunk is hashed and written, the next one is read: git's pipe delivers about 1 GiB/s here, as fast as
        // hashing goes, so reading after the hashing left a core idle for a third of the time.
        byte[]? next = null;
        var remaining = info.ByteLength;
        var length = (int)Math.Min(chunkBytes, remaining);
        FillGrowing(reader, ref buffer, length, info, context.Path);
        storedChunk = Fit(storedChunk, buffer.Length);
        try
        {
            while (true)
            {
                var chunk = new ReadOnlyMemory<byte>(buffer, 0, length);
                var index = chunkHashes.Count;
                if (!overlap)
                {
                    var chunkHash = ChunkFingerprints.Of(chunk.Span);
                    chunkHashes.Add(chunkHash);
                    if (matching.Active && !matching.Matches(index, chunkHash, chunk.Span, storedChunk))
                    {
                        matching.Stop(info, streamed, signature, context, chunkBytes);
                    }
                }

                // While the bytes match the stored value neither the object nor the signature needs them yet: if all
                // match, the old entry stands; at the first difference the prefix is written and hashed from the stored object.
                var write = !matching.Active;
                remaining -= length;
                var nextLength = (int)Math.Min(remaining, chunkBytes);
                if (!overlap)
                {
                    Hash(fingerprint, signature, chunk.Span, write);
                    if (write)
                    {
                        streamed.Write(chunk.Span);
                    }
                    else
                    {
                        matching.Matched += chunk.Length;
                    }

                    if (remaining == 0)
                    {
                        break;
                    }

                    length = nextLength;
                    FillGrowing(reader, ref buffer, length, info, context.Path);
                    storedChunk = Fit(storedChunk, buffer.Length);
                    continue;
                }

                // A chunk that may still match is judged on other threads too (its fingerprint, or a comparison with
                // the stored value read beside git's pipe), while this thread reads the next chunk.
                var comparing = matching.Active;
                var storedBytes = storedChunk;
                var hashing = Task.Run(() =>
                {
                    Hash(fingerprint, signature, chunk.Span, write);
                    return !comparing || matching.Stored is null || matching.MatchesStored(chunk.Span, storedBytes!);
                });
                var chunkHashing = Task.Run(() => ChunkFingerprints.Of(chunk.Span));
                // The object's SHA-256 and its write to disk each take as long as the LSH: on tasks of their own, so
                // neither waits for the other.
                var writing = write
                    ? Task.WhenAll(Task.Run(() => streamed.Pending.AppendHashOnly(chunk.Span)), Task.Run(() => streamed.Pending.WriteUnhashed(chunk.Span)))
                    : Task.CompletedTask;
                if (remaining > 0)
                {
                    next ??= spareNext.Length >= Math.Min(buffer.Length, nextLength) && spareNext.Length <= chunkBytes ? spareNext : GC.AllocateUninitializedArray<byte>(Math.Min(buffer.Length, nextLength));
                    length = nextLength;
                    try
                    {
                        FillGrowing(reader, ref next, length, info, context.Path);
                    }
                    catch
                    {
                        // The chunk in flight uses the buffers and the object being written: let it finish before either goes.
                        WaitQuietly(hashing, chunkHashing, writing);
                        throw;
                    }

                    storedChunk = Fit(storedChunk, next.Length);
                }

                WaitQuietly(hashing, chunkHashing, writing);
                var sameAsStored = hashing.GetAwaiter().GetResult();
                var hash = chunkHashing.GetAwaiter().GetResult();
                chunkHashes.Add(hash);
                Await(writing);
                if (comparing && sameAsStored && matching.MatchesFingerprint(index, hash))
                {
                    matching.Matched += chunk.Length;
                }
                else if (comparing)
                {
                    // The first difference: the matching prefix goes to the object and the signature from the stored
                    // value, then this chunk (already in the fingerprint) after it.
                    matching.Stop(info, streamed, signature, context, chunkBytes);
                    signature.Append(chunk.Span);
                    streamed.Write(chunk.Span);
                }

                if (remaining == 0)
                {
                    break;
                }

                (buffer, next) = (next!, buffer);
            }
        }
        finally
        {
            spareNext = next ?? spareNext;
        }

        var contentHash = ContentHash.Format(fingerprint.GetCurrentHashAsUInt64());
        if (matching.Active)
        {
            if (StoredValueHolds(old!, contentHash, matching.Stored))
            {
                return old!;
            }

            // The stored file is damaged (or its entry's fingerprints are not its value's), yet the old value was
            // exactly the bytes just read: write them out and let the rule below judge them like any other value.
            matching.Stop(info, streamed, signature, context, chunkBytes);
        }

        var newSignature = signature.Complete();
        if (old is not null && old.Update.Depth <= settings.MaxChainDepth && IsUnchanged(info, old, contentHash, newSignature, streamed, context))
        {
            // Keep the old entry; the bytes just written are only stored if they are the old object and it is missing.
            if (!context.Store.Contains(old.Object) && streamed.Finish().Oid == old.Object.Oid)
            {
                context.Transaction.AddStreamed(streamed);
            }

            return old;
        }

        var reference = context.Transaction.AddStreamed(streamed);
        return new ParameterEntry(new TensorDescription(info.DType, info.Shape, newSignature, contentHash, new ChunkFingerprints(chunkBytes, chunkHashes)), reference, UpdateDescription.Dense);
    }

    /// <summary>
    /// The old entry's chunk fingerprints, when they can stand in for its stored value: a dense value in the store,
    /// with its whole fingerprint and chunks of the size this clean reads.
    /// </summary>
    private static ChunkFingerprints? UsableChunks(TensorInfo info, ParameterEntry? old, UpdateContext context, int chunkBytes) =>
        old is { Update.Type: DenseUpdate.TypeName, Update.Depth: 0, Tensor: { ContentHash: not null, Chunks: { } chunks } }
        && chunks.Covers(info.ByteLength, chunkBytes)
        && context.Store.Contains(old.Object)
            ? chunks
            : null;

    /// <summary>
    /// Whether the bytes read so far still repeat the old value, judged by its chunk fingerprints or by its stored
    /// bytes, and how many of them did; at the first difference (<see cref="Stop"/>) the matching prefix is written.
    /// </summary>
    private sealed class Matching
    {
        private readonly LargeGroupCleaner cleaner;

        public Matching(LargeGroupCleaner cleaner, ParameterEntry? old, ChunkFingerprints? chunks, VerifyingReadStream? stored)
        {
            this.cleaner = cleaner;
            Old = old;
            Chunks = chunks;
            Stored = stored;
            Active = chunks is not null || stored is not null;
        }

        public ParameterEntry? Old { get; }

        public ChunkFingerprints? Chunks { get; }

        public VerifyingReadStream? Stored { get; }

        public bool Active { get; private set; }

        public long Matched { get; set; }

        public bool Matches(int index, ulong chunkHash, ReadOnlySpan<byte> chunk, byte[]? storedChunk) =>
            MatchesFingerprint(index, chunkHash) && (Stored is null || MatchesStored(chunk, storedChunk!));

        public bool MatchesFingerprint(int index, ulong chunkHash) => Chunks is null || Chunks.Hashes[index] == chunkHash;

        public bool MatchesStored(ReadOnlySpan<byte> chunk, byte[] storedChunk)
        {
            var previous = storedChunk.AsSpan(0, chunk.Length);
            var read = Stored!.ReadAtLeast(previous, previous.Length, throwOnEndOfStream: false);
            Interlocked.Add(ref cleaner.storedBytesRead, read);
            return read == previous.Length && previous.SequenceEqual(chunk);
        }

        public void Stop(TensorInfo info, StreamedObject streamed, EuclideanLsh.Incremental signature, UpdateContext context, int chunkBytes)
        {
            Active = false;
            CopyStoredPrefix(info, Old!, Matched, streamed, signature, context, Chunks, chunkBytes);
            Interlocked.Add(ref cleaner.storedBytesRead, Matched);
        }
    }

    /// <summary>
    /// Whether the old entry stands for bytes that all matched its stored file. With a recorded fingerprint the verdict
    /// is the one a group held whole gets (the new bytes' fingerprint equals the old value's), so the stored file was
    /// read for comparison only and never hashed; without one, the stored file must prove it holds the old object.
    /// </summary>
    private static bool StoredValueHolds(ParameterEntry old, string contentHash, VerifyingReadStream? stored)
    {
        if (old.Tensor.ContentHash is not null)
        {
            return old.Tensor.ContentHash == contentHash;
        }

        try
        {
            stored!.VerifyToEnd();
            return true;
        }
        catch (ThetaException e) when (e.Code == DiagnosticIds.CorruptObject)
        {
            return false;
        }
    }

    /// <summary>
    /// The previous dense value, positioned at its first byte, when there is one to compare with. When the old entry
    /// records its value's fingerprint the stream only compares (see <see cref="StoredValueHolds"/>).
    /// </summary>
    private static VerifyingReadStream? OpenStoredValue(TensorInfo info, ParameterEntry? old, UpdateContext context)
    {
        if (old is null || old.Update.Type != DenseUpdate.TypeName || old.Update.Depth > 0 || !context.Store.Contains(old.Object))
        {
            return null;
        }

        try
        {
            var stream = DenseObject.Open(context.Store, info, old.Object, What(info, context)).Stream;
            if (old.Tensor.ContentHash is not null)
            {
                stream.CompareOnly();
            }

            return stream;
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.CorruptObject or DiagnosticIds.InvalidCheckpoint or DiagnosticIds.TruncatedCheckpoint)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes and hashes the first <paramref name="length"/> bytes of the stored value, which equal the new value's first
    /// bytes. When that was judged by the old entry's chunk fingerprints, each chunk copied must have its fingerprint:
    /// otherwise the stored file is not the value its entry describes, and copying it would put wrong bytes into the new
    /// object.
    /// </summary>
    private static void CopyStoredPrefix(TensorInfo info, ParameterEntry old, long length, StreamedObject streamed, EuclideanLsh.Incremental signature, UpdateContext context, ChunkFingerprints? chunks, int chunkBytes)
    {
        if (length == 0)
        {
            return;
        }

        var what = What(info, context);
        using var stream = DenseObject.Open(context.Store, info, old.Object, what).Stream;
        var copy = GC.AllocateUninitializedArray<byte>((int)Math.Min(chunkBytes, length));
        var index = 0;
        for (var left = length; left > 0; index++)
        {
            var want = (int)Math.Min(copy.Length, left);
            if (stream.ReadAtLeast(copy.AsSpan(0, want), want, throwOnEndOfStream: false) != want)
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {old.Object.Oid} changed while it was read; run 'git theta verify'.");
            }

            var piece = copy.AsSpan(0, want);
            if (chunks is not null && ChunkFingerprints.Of(piece) != chunks.Hashes[index])
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {old.Object.Oid} does not hold the value its metadata describes (chunk {index} differs); run 'git theta verify' to find the damage, restore the object (or the checkpoint), then add again.");
            }

            streamed.Write(piece);
            signature.Append(piece);
            left -= want;
        }
    }

    private static void Hash(XxHash3 fingerprint, EuclideanLsh.Incremental signature, ReadOnlySpan<byte> chunk, bool toSignature)
    {
        fingerprint.Append(chunk);
        if (toSignature)
        {
            signature.Append(chunk);
        }
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes into the start of <paramref name="buffer"/>, growing it fourfold at a time
    /// (keeping what it holds) as bytes actually arrive: a header that claims a huge group costs no memory up front.
    /// </summary>
    private static void FillGrowing(ICheckpointReader reader, ref byte[] buffer, int length, TensorInfo info, string path)
    {
        var filled = 0;
        while (true)
        {
            var part = Math.Min(buffer.Length, length);
            Fill(reader, buffer.AsSpan(filled, part - filled), info, path);
            filled = part;
            if (filled == length)
            {
                return;
            }

            var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, 4L * buffer.Length));
            buffer.AsSpan(0, filled).CopyTo(grown);
            buffer = grown;
        }
    }

    /// <summary>The stored-value buffer, grown to hold a chunk of <paramref name="length"/> bytes (none when nothing is compared).</summary>
    private static byte[]? Fit(byte[]? storedChunk, int length) =>
        storedChunk is null || storedChunk.Length >= length ? storedChunk : GC.AllocateUninitializedArray<byte>(length);

    private static void Await(Task task) => task.GetAwaiter().GetResult();

    private static void WaitQuietly(params Task[] tasks)
    {
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException)
        {
            // The error that stopped the read is the one to report.
        }
    }

    private static void Fill(ICheckpointReader reader, Span<byte> destination, TensorInfo info, string path)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var n = reader.ReadData(destination[filled..]);
            if (n == 0)
            {
                throw new ThetaException(DiagnosticIds.TruncatedCheckpoint, $"{path}: the file ends inside tensor '{info.Name}'; the checkpoint is truncated. Re-save it and add it again.");
            }

            filled += n;
        }
    }

    private bool IsUnchanged(TensorInfo info, ParameterEntry old, string contentHash, LshSignature newSignature, StreamedObject streamed, UpdateContext context)
    {
        if (old.Update.Type != DenseUpdate.TypeName || old.Update.Depth > 0)
        {
            // Only a dense value can be streamed against; storing the new value is always safe.
            return false;
        }

        if (old.Tensor.ContentHash == contentHash || streamed.Finish().Oid == old.Object.Oid)
        {
            return true;
        }

        switch (UnchangedRule.Judge(info, newSignature, old, lsh, settings))
        {
            case UnchangedRule.Verdict.Unchanged:
                return true;
            case UnchangedRule.Verdict.CompareWithStored:
                var (file, offset, length) = streamed.WrittenValue();
                return UnchangedRule.IsCloseToStored(info, old, new AllCloseStream(info.DType, file, offset, length, settings.Atol, settings.Rtol), context);
            default:
                // Exact bytes only, and those were compared above; or too far apart.
                return false;
        }
    }

    private static string What(TensorInfo info, UpdateContext context) => $"{context.Path}: parameter '{info.Name}'";
}
