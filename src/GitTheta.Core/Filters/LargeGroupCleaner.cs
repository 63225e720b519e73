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

    public LargeGroupCleaner(ThetaSettings settings, EuclideanLsh lsh)
    {
        this.settings = settings;
        this.lsh = lsh;
    }

    /// <param name="old">The previous entry of a group with the same name, dtype and shape, or null.</param>
    public ParameterEntry Process(TensorInfo info, ICheckpointReader reader, ParameterEntry? old, StagingContext context)
    {
        using var streamed = DenseObject.BeginStreamed(context.Transaction, info);
        var fingerprint = new XxHash3();
        var signature = lsh.CreateIncremental(info.DType, settings.MaxConcurrency);

        // Chunks never exceed the large-group or stream size (memory stays at one chunk; tests that lower them see many chunks).
        var chunkBytes = Math.Max(sizeof(double), Math.Min(ChunkBytes, Math.Min(settings.LargeGroupBytes, settings.StreamGroupBytes)) & ~(sizeof(double) - 1L));
        // The buffers grow with the bytes that actually arrive, so a header that merely claims a huge group costs no
        // memory; those of the previous group are used again (fresh ones per group piled up as garbage, hundreds of MB).
        var first = (int)Math.Min(Math.Min(FirstChunkBytes, chunkBytes), info.ByteLength);
        var buffer = spareChunk.Length >= first && spareChunk.Length <= chunkBytes ? spareChunk : GC.AllocateUninitializedArray<byte>(first);

        // A re-added checkpoint mostly repeats the stored value: while the bytes match it, nothing is written, and at
        // the first difference the matching prefix is copied from the stored object. Reading the stored value costs
        // far less than writing gigabytes to lfs/tmp only to delete them again.
        using var stored = OpenStoredValue(info, old, context);
        var storedChunk = stored is null ? null : spareStored.Length >= buffer.Length ? spareStored : GC.AllocateUninitializedArray<byte>(buffer.Length);
        try
        {
            return Process(info, reader, old, context, streamed, fingerprint, signature, chunkBytes, ref buffer, stored, ref storedChunk);
        }
        finally
        {
            spareChunk = buffer;
            spareStored = storedChunk ?? spareStored;
        }
    }

    private ParameterEntry Process(TensorInfo info, ICheckpointReader reader, ParameterEntry? old, StagingContext context, StreamedObject streamed, XxHash3 fingerprint, EuclideanLsh.Incremental signature, long chunkBytes, ref byte[] buffer, VerifyingReadStream? stored, ref byte[]? storedChunk)
    {
        var matched = 0L;
        var matching = stored is not null;
        var overlap = settings.MaxConcurrency > 1;

        // While one chunk is hashed and written, the next one is read: git's pipe delivers about 1 GiB/s here, as fast as
        // hashing goes, so reading after the hashing left a core idle for a third of the time. The second buffer is
        // the first one's size (see ChunkBytes).
        var next = !overlap || info.ByteLength <= buffer.Length ? null
            : spareNext.Length >= buffer.Length && spareNext.Length <= chunkBytes ? spareNext : GC.AllocateUninitializedArray<byte>(buffer.Length);
        var remaining = info.ByteLength;
        var length = (int)Math.Min(buffer.Length, remaining);
        Fill(reader, buffer.AsSpan(0, length), info, context.Path);
        try
        {
            while (true)
            {
                var chunk = new ReadOnlyMemory<byte>(buffer, 0, length);
                if (matching && !overlap)
                {
                    var previous = storedChunk.AsSpan(0, chunk.Length);
                    if (stored!.ReadAtLeast(previous, previous.Length, throwOnEndOfStream: false) == previous.Length && previous.SequenceEqual(chunk.Span))
                    {
                        matched += chunk.Length;
                    }
                    else
                    {
                        matching = false;
                        CopyStoredPrefix(info, old!, matched, streamed, signature, context);
                    }
                }

                // While the bytes match the stored value neither the object nor the signature needs them yet: if all
                // match, the old entry stands; at the first difference the prefix is written and hashed from the stored object.
                var write = !matching;
                remaining -= length;
                var nextLength = (int)Math.Min(remaining, chunkBytes);
                if (!overlap)
                {
                    Hash(fingerprint, signature, chunk.Span, write);
                    if (write)
                    {
                        streamed.Write(chunk.Span);
                    }

                    if (remaining == 0)
                    {
                        break;
                    }

                    buffer = Grow(buffer, nextLength);
                    storedChunk = storedChunk is null || storedChunk.Length >= buffer.Length ? storedChunk : GC.AllocateUninitializedArray<byte>(buffer.Length);
                    length = Math.Min(buffer.Length, nextLength);
                    Fill(reader, buffer.AsSpan(0, length), info, context.Path);
                    continue;
                }

                // A chunk that may still match the stored value is compared on the hashing thread too, so that a re-add
                // reads the stored value beside git's pipe instead of after it.
                var comparing = matching;
                var storedBytes = storedChunk;
                var hashing = Task.Run(() =>
                {
                    Hash(fingerprint, signature, chunk.Span, write);
                    return !comparing || (stored!.ReadAtLeast(storedBytes.AsSpan(0, chunk.Length), chunk.Length, throwOnEndOfStream: false) == chunk.Length
                        && storedBytes.AsSpan(0, chunk.Length).SequenceEqual(chunk.Span));
                });
                // The object's SHA-256 and its write to disk each take as long as the LSH: on tasks of their own, so
                // neither waits for the other.
                var writing = write
                    ? Task.WhenAll(Task.Run(() => streamed.Pending.AppendHashOnly(chunk.Span)), Task.Run(() => streamed.Pending.WriteUnhashed(chunk.Span)))
                    : Task.CompletedTask;
                if (remaining > 0)
                {
                    next = Grow(next!, nextLength);
                    storedChunk = storedChunk is null || storedChunk.Length >= next.Length ? storedChunk : GC.AllocateUninitializedArray<byte>(next.Length);
                    length = Math.Min(next.Length, nextLength);
                    try
                    {
                        Fill(reader, next.AsSpan(0, length), info, context.Path);
                    }
                    catch
                    {
                        // The chunk in flight uses the buffers and the object being written: let it finish before either goes.
                        WaitQuietly(hashing, writing);
                        throw;
                    }
                }

                WaitQuietly(hashing, writing);
                var same = hashing.GetAwaiter().GetResult();
                Await(writing);
                if (comparing && same)
                {
                    matched += chunk.Length;
                }
                else if (comparing)
                {
                    // The first difference: the matching prefix goes to the object and the signature from the stored
                    // value, then this chunk (already in the fingerprint) after it.
                    matching = false;
                    CopyStoredPrefix(info, old!, matched, streamed, signature, context);
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
        if (matching)
        {
            if (StoredValueHolds(old!, contentHash, stored!))
            {
                return old!;
            }

            // The stored file is damaged, yet its value is exactly the bytes just read: write them out and let the
            // rule below judge them like any other value.
            CopyStoredPrefix(info, old!, matched, streamed, signature, context);
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
        return new ParameterEntry(new TensorDescription(info.DType, info.Shape, newSignature, contentHash), reference, UpdateDescription.Dense);
    }

    /// <summary>
    /// Whether the old entry stands for bytes that all matched its stored file. With a recorded fingerprint the verdict
    /// is the one a group held whole gets (the new bytes' fingerprint equals the old value's), so the stored file was
    /// read for comparison only and never hashed; without one, the stored file must prove it holds the old object.
    /// </summary>
    private static bool StoredValueHolds(ParameterEntry old, string contentHash, VerifyingReadStream stored)
    {
        if (old.Tensor.ContentHash is not null)
        {
            return old.Tensor.ContentHash == contentHash;
        }

        try
        {
            stored.VerifyToEnd();
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

    /// <summary>Writes and hashes the first <paramref name="length"/> bytes of the stored value, which equal the new value's first bytes.</summary>
    private static void CopyStoredPrefix(TensorInfo info, ParameterEntry old, long length, StreamedObject streamed, EuclideanLsh.Incremental signature, UpdateContext context)
    {
        if (length == 0)
        {
            return;
        }

        var what = What(info, context);
        using var stream = DenseObject.Open(context.Store, info, old.Object, what).Stream;
        var copy = new byte[(int)Math.Min(ChunkBytes, length)];
        for (var left = length; left > 0;)
        {
            var n = stream.Read(copy.AsSpan(0, (int)Math.Min(copy.Length, left)));
            if (n == 0)
            {
                throw new ThetaException(DiagnosticIds.CorruptObject, $"{what}: stored object {old.Object.Oid} changed while it was read; run 'git theta verify'.");
            }

            streamed.Write(copy.AsSpan(0, n));
            signature.Append(copy.AsSpan(0, n));
            left -= n;
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

    /// <summary>The buffer for a chunk of <paramref name="wanted"/> bytes: grown fourfold at a time, as bytes actually arrive.</summary>
    private static byte[] Grow(byte[] buffer, int wanted) =>
        buffer.Length >= wanted ? buffer : GC.AllocateUninitializedArray<byte>((int)Math.Min(wanted, 4L * buffer.Length));

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
