using System.Collections.Concurrent;
using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Hashing;
using GitTheta.Core.IO;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Filters;

/// <summary>
/// The clean filter (git add): checkpoint bytes in, theta metadata out. Groups whose LSH signature
/// says they did not change keep their previous entry; changed groups become new objects.
/// Reading and hashing overlap: one thread reads the next group while the current one is hashed,
/// so peak memory is two groups, never the checkpoint.
/// </summary>
internal sealed class ThetaCleaner
{
    private const int SniffBytes = 4096;

    private readonly LfsObjectStore store;
    private readonly ThetaSettings settings;
    private readonly CheckpointFormatRegistry formats;
    private readonly UpdateTypeRegistry updates;
    private readonly Action<string>? log;
    private readonly MaterializedValueCache cache = new();
    private readonly Lazy<UpdateData?> updateData;

    /// <param name="log">Receives notes for the user (groups stored dense although an incremental type was asked for).</param>
    public ThetaCleaner(ThetaEngine engine, Action<string>? log = null)
    {
        store = engine.Store;
        settings = engine.Settings;
        formats = engine.Formats;
        updates = engine.Updates;
        this.log = log;

        // Read once per process: git add of several files with the same update data cleans them in one filter process.
        updateData = new Lazy<UpdateData?>(() => settings.UpdateDataPath is { } path ? UpdateData.Load(path, formats) : null);
    }

    /// <summary>How many objects the last <see cref="Clean"/> added to the store (for tests and diagnostics).</summary>
    public int LastNewObjects { get; private set; }

    /// <summary>How many bytes of stored values the last <see cref="Clean"/> read to judge or copy groups cleaned in chunks (for tests and diagnostics).</summary>
    public long LastStoredBytesRead { get; private set; }

    /// <param name="previous">The metadata to compare with (staged or HEAD), or null.</param>
    /// <param name="formatName">The gitattribute theta-format, or null to sniff.</param>
    /// <param name="dryRun">Compute the metadata without storing any object (diff of a working file).</param>
    /// <param name="committed">HEAD's version, which incremental updates build on; null stores every changed group dense.</param>
    /// <param name="updateTypeName">The update type for changed groups (see <see cref="UpdateTypeSelection"/>); null uses the settings'.</param>
    public byte[] Clean(Stream input, string path, ThetaMetadata? previous, string? formatName, bool dryRun = false, CommittedVersion? committed = null, string? updateTypeName = null)
    {
        LastNewObjects = 0;
        LastStoredBytesRead = 0;
        previous = Trustworthy(previous);
        var prefix = PrefixedStream.ReadPrefix(input, SniffBytes);
        Stream stream = new PrefixedStream(prefix, input);
        if (MetadataSerializer.LooksLikeMetadata(prefix))
        {
            var all = ReadBounded(stream, MetadataSerializer.MaxMetadataBytes, out var complete);
            if (complete && MetadataSerializer.ParseIfMetadata(all, path) is { } passing)
            {
                UpdateChain.CheckStagedDepth(passing, path);
                ValidatePassingMetadata(passing, path);
                return all;
            }

            stream = new PrefixedStream(all, complete ? Stream.Null : stream);
        }

        ReferenceMetadata.ThrowIfReference(prefix, path);
        var format = formatName is { Length: > 0 }
            ? formats.Get(formatName, path)
            : formats.Detect(prefix, path) ?? throw new ThetaException(
                DiagnosticIds.UnknownFormat,
                prefix.Length == 0
                    ? $"{path}: the file is empty, not a checkpoint; add a checkpoint or untrack the path (git theta untrack {path})."
                    : $"{path}: not a checkpoint format git-theta recognises. Supported formats: {formats.SupportedNames}; set one with 'git theta track {path} --format <format>'.");

        using var reader = format.OpenReader(stream, path);
        using var transaction = new ObjectTransaction(store, hashOnly: dryRun, inlineBytes: settings.InlineObjectBytes, maxConcurrency: settings.MaxConcurrency, writtenPages: settings.WriteBehind && WrittenPages.Supported ? store.WrittenPages : null);
        var context = new StagingContext(store, transaction, settings, path) { Updates = updates, Cache = cache };
        var updateType = updates.Get(updateTypeName ?? settings.UpdateType, path);
        var lsh = new EuclideanLsh(settings.LshSignatureSize, settings.LshBucketWidth, settings.LshPoolSize);
        var writer = new UpdateWriter(context, updateType, dryRun ? null : committed, dryRun ? null : updateData.Value, lsh);
        // Values are stored by the chosen type itself, or, for incremental types, dense where they store no update.
        var valueType = updateType.IsIncremental ? updates.Get(DenseUpdate.TypeName, path) : updateType;
        var large = new LargeGroupCleaner(settings, lsh);
        var entries = ProcessGroups(reader, previous, context, writer, valueType, lsh, large);
        LastStoredBytesRead = large.StoredBytesRead;
        var container = reader.Complete();
        var containerRef = ContainerObject.Stage(transaction, container).KeptAs(previous?.Container);
        var metadata = new ThetaMetadata(format.Name, containerRef, entries);
        LastNewObjects = transaction.Count;
        if (!dryRun)
        {
            transaction.Commit();
            foreach (var line in writer.Fallbacks.Lines(path, updateType.Name))
            {
                log?.Invoke(line);
            }
        }

        return MetadataSerializer.Serialize(metadata);
    }

    /// <summary>
    /// The previous metadata, unless it names a stored object with the wrong size (forged or damaged): its entries would
    /// be kept for unchanged groups and carry the wrong size into the new metadata. Without it every group is judged
    /// afresh, so cleaning a real checkpoint over bad metadata repairs the index instead of failing.
    /// </summary>
    private ThetaMetadata? Trustworthy(ThetaMetadata? previous)
    {
        if (previous is null)
        {
            return null;
        }

        try
        {
            StoredSizes.Check(previous, store, string.Empty);
            return previous;
        }
        catch (ThetaException e) when (e.Code == DiagnosticIds.ObjectSizeMismatch)
        {
            return null;
        }
    }

    /// <summary>
    /// Metadata staged as it is (a file that is still metadata, or edited by hand) is checked before git stores it: every
    /// update type and chain must be one smudge can rebuild, and every object that is here must have the size the
    /// metadata names. Objects that are not here are allowed: a clone without the filters holds metadata only.
    /// </summary>
    private void ValidatePassingMetadata(ThetaMetadata metadata, string path)
    {
        StoredSizes.Check(metadata, store, path);
        foreach (var (name, entry) in metadata.Parameters)
        {
            var where = $"{path}: parameter '{name}'";
            if (updates.Get(entry.Update.Type, where).IsIncremental || entry.Update.Depth > 0)
            {
                UpdateChain.Validate(updates, entry, where, path);
            }
        }
    }

    /// <summary>Below this size a group is hashed and stored on one thread (see <see cref="InlineCheckpoint"/>: a hand-off costs more).</summary>
    private const int InlineGroupBytes = 1 << 20;

    private Dictionary<string, ParameterEntry> ProcessGroups(ICheckpointReader reader, ThetaMetadata? previous, StagingContext context, UpdateWriter writer, IUpdateType valueType, EuclideanLsh lsh, LargeGroupCleaner large) =>
        InlineCheckpoint.Applies(reader.Tensors)
            ? ProcessGroupsInline(reader, previous, context, writer, valueType, lsh, large)
            : ProcessGroupsOverlapped(reader, previous, context, writer, valueType, lsh, large);

    private Dictionary<string, ParameterEntry> ProcessGroupsInline(ICheckpointReader reader, ThetaMetadata? previous, StagingContext context, UpdateWriter writer, IUpdateType valueType, EuclideanLsh lsh, LargeGroupCleaner large)
    {
        var entries = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        var buffer = Array.Empty<byte>();
        while (reader.Next() is { } info)
        {
            if (Streams(info, previous, writer))
            {
                entries[info.Name] = ProcessLargeGroup(info, reader, previous, context, writer, large);
                continue;
            }

            buffer = ReadGroup(reader, buffer, (int)info.ByteLength);
            entries[info.Name] = ProcessGroup(info, new ReadOnlyMemory<byte>(buffer, 0, (int)info.ByteLength), previous, context, writer, valueType, lsh);
        }

        return entries;
    }

    private Dictionary<string, ParameterEntry> ProcessGroupsOverlapped(ICheckpointReader reader, ThetaMetadata? previous, StagingContext context, UpdateWriter writer, IUpdateType valueType, EuclideanLsh lsh, LargeGroupCleaner large)
    {
        using var largeDone = new SemaphoreSlim(0);
        var entries = new Dictionary<string, ParameterEntry>(StringComparer.Ordinal);
        var buffers = new BlockingCollection<byte[]>();
        buffers.Add(Array.Empty<byte>());
        var allocated = 1;
        using var work = new BlockingCollection<(TensorInfo Info, byte[]? Buffer)>(boundedCapacity: 1);
        using var cancel = new CancellationTokenSource();
        Exception? producerError = null;
        var producer = Task.Run(() =>
        {
            try
            {
                while (reader.Next() is { } info)
                {
                    if (Streams(info, previous, writer))
                    {
                        // Too large to hold: the consumer reads it from the reader itself, in chunks, while this waits.
                        work.Add((info, null!), cancel.Token);
                        largeDone.Wait(cancel.Token);
                        continue;
                    }

                    if (!buffers.TryTake(out var buffer))
                    {
                        if (allocated < 2)
                        {
                            buffer = Array.Empty<byte>();
                            allocated++;
                        }
                        else
                        {
                            buffer = buffers.Take(cancel.Token);
                        }
                    }

                    buffer = ReadGroup(reader, buffer, (int)info.ByteLength);
                    work.Add((info, buffer), cancel.Token);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                producerError = e;
            }
            finally
            {
                work.CompleteAdding();
            }
        });

        try
        {
            foreach (var (info, buffer) in work.GetConsumingEnumerable())
            {
                if (buffer is null)
                {
                    entries[info.Name] = ProcessLargeGroup(info, reader, previous, context, writer, large);
                    largeDone.Release();
                    continue;
                }

                var value = new ReadOnlyMemory<byte>(buffer, 0, (int)info.ByteLength);
                entries[info.Name] = ProcessGroup(info, value, previous, context, writer, valueType, lsh);
                buffers.Add(buffer);
            }
        }
        catch
        {
            cancel.Cancel();
            producer.Wait();
            throw;
        }

        producer.Wait();
        if (producerError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(producerError).Throw();
        }

        return entries;
    }

    private const int FirstBufferBytes = 16 << 20;

    /// <summary>
    /// Reads the current group's bytes into <paramref name="buffer"/>, or into a larger one that is returned. Buffers
    /// grow with the bytes that actually arrive, so a header that merely claims a huge group costs no memory before
    /// the data runs out.
    /// </summary>
    private static byte[] ReadGroup(ICheckpointReader reader, byte[] buffer, int length)
    {
        var read = 0;
        while (read < length)
        {
            if (read == buffer.Length)
            {
                buffer = Grow(buffer, read, length);
            }

            read += reader.ReadData(buffer.AsSpan(read, Math.Min(length, buffer.Length) - read));
        }

        return buffer;
    }

    private static byte[] Grow(byte[] buffer, int filled, int needed)
    {
        var size = (int)Math.Min(needed, Math.Max(FirstBufferBytes, 4L * buffer.Length));
        var grown = GC.AllocateUninitializedArray<byte>(size);
        buffer.AsSpan(0, filled).CopyTo(grown);
        return grown;
    }

    /// <summary>
    /// Whether a group is read in chunks rather than held whole: always over the large-group size; over the stream size
    /// when chunks store exactly what the whole value would (dense, no update data, a dense previous value to compare).
    /// </summary>
    private bool Streams(TensorInfo info, ThetaMetadata? previous, UpdateWriter writer)
    {
        if (info.ByteLength > settings.LargeGroupBytes)
        {
            return true;
        }

        if (info.ByteLength <= settings.StreamGroupBytes || writer.IsIncremental || writer.UpdateDataFor(info) is not null)
        {
            return false;
        }

        var old = SameLayoutEntry(previous, info);
        return old is null || (old.Update.Type == DenseUpdate.TypeName && old.Update.Depth == 0);
    }

    /// <summary>The previous entry of a group with this name, dtype and shape: the only one it can be unchanged from.</summary>
    private static ParameterEntry? SameLayoutEntry(ThetaMetadata? previous, TensorInfo info) =>
        previous is not null && previous.Parameters.TryGetValue(info.Name, out var candidate) && candidate.Tensor.ToInfo(info.Name).SameLayout(info)
            ? candidate
            : null;

    private ParameterEntry ProcessLargeGroup(TensorInfo info, ICheckpointReader reader, ThetaMetadata? previous, StagingContext context, UpdateWriter writer, LargeGroupCleaner large)
    {
        if (writer.UpdateDataFor(info) is not null)
        {
            throw new ThetaException(DiagnosticIds.InvalidUpdateData, $"{context.Path}: the update data has values for parameter group '{info.Name}', which is {info.ByteLength} bytes; groups over {settings.LargeGroupBytes} bytes are stored dense, so leave it out of the update data.");
        }

        var old = SameLayoutEntry(previous, info);

        var entry = large.Process(info, reader, old, context);
        if (writer.IsIncremental && !ReferenceEquals(entry, old))
        {
            writer.Fallbacks.Add(info.Name, $"groups over {settings.LargeGroupBytes} bytes (theta.largeGroupBytes) are read in pieces and stored dense");
        }

        return entry;
    }

    private ParameterEntry ProcessGroup(TensorInfo info, ReadOnlyMemory<byte> value, ThetaMetadata? previous, StagingContext context, UpdateWriter writer, IUpdateType valueType, EuclideanLsh lsh)
    {
        if (writer.UpdateDataFor(info) is { } sideLoaded)
        {
            // Side-loaded: the update data says what the group becomes, whatever the working file holds.
            return writer.SideLoad(info, sideLoaded);
        }

        var old = SameLayoutEntry(previous, info);

        if (old is null && !writer.IsIncremental)
        {
            // Nothing to compare with: hash and store at the same time.
            LshSignature? signature = null;
            StoredValue? stored = null;
            string? fingerprint = null;
            void Fingerprint()
            {
                fingerprint = ContentHash.Of(value.Span);
                signature = lsh.Hash(info.DType, value.Span, Math.Max(1, settings.MaxConcurrency - 1));
            }

            void Store() => stored = valueType.Store(context, info, value);

            if (value.Length < InlineGroupBytes)
            {
                Fingerprint();
                Store();
            }
            else
            {
                Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.MaxConcurrency) }, Fingerprint, Store);
            }

            return new ParameterEntry(new TensorDescription(info.DType, info.Shape, signature!, fingerprint), stored!.Object, stored.Update);
        }

        // The same bytes as the stored value: unchanged, decided at memory speed without the LSH.
        var contentHash = ContentHash.Of(value.Span);
        if (old is not null && old.Tensor.ContentHash == contentHash && old.Update.Depth <= settings.MaxChainDepth)
        {
            return Reuse(old, info, value, context);
        }

        var newSignature = lsh.Hash(info.DType, value.Span, settings.MaxConcurrency);
        if (old is not null && IsUnchanged(info, value, old, newSignature, context, lsh))
        {
            if (old.Update.Depth <= settings.MaxChainDepth)
            {
                return Reuse(old, info, value, context);
            }

            // A chain deeper than allowed now (theta.maxChainDepth lowered, or 0 for git theta squash): the value
            // in hand, which is the checked-out value, becomes the new start of the chain.
        }
        else if (writer.TryIncremental(info, value) is { } incremental)
        {
            return incremental;
        }

        var result = valueType.Store(context, info, value);
        return new ParameterEntry(new TensorDescription(info.DType, info.Shape, newSignature, contentHash), result.Object, result.Update);
    }

    private bool IsUnchanged(TensorInfo info, ReadOnlyMemory<byte> value, ParameterEntry old, LshSignature newSignature, UpdateContext context, EuclideanLsh lsh) =>
        UnchangedRule.Judge(info, newSignature, old, lsh, settings) switch
        {
            UnchangedRule.Verdict.ExactBytesOnly => old.Update.Type == DenseUpdate.TypeName
                ? DenseObject.Id(info, value.Span).Oid == old.Object.Oid
                : IsExactlyStored(info, value, old, context),
            UnchangedRule.Verdict.Unchanged => true,
            UnchangedRule.Verdict.CompareWithStored => UnchangedRule.IsCloseToStored(info, old, new AllCloseStream(info.DType, value, settings.Atol, settings.Rtol), context),
            _ => false,
        };

    /// <summary>Exact comparison with an incremental entry's value, which has no dense object to compare oids with.</summary>
    private static bool IsExactlyStored(TensorInfo info, ReadOnlyMemory<byte> value, ParameterEntry old, UpdateContext context)
    {
        try
        {
            return UpdateChain.Materialize(context, info, old).AsSpan().SequenceEqual(value.Span);
        }
        catch (ThetaException e) when (e.Code is DiagnosticIds.MissingObject or DiagnosticIds.CorruptObject)
        {
            return false;
        }
    }

    /// <summary>
    /// Keeps the previous entry. If its object went missing from the local store and the value in hand is
    /// exactly that object's value, the object is written again, so re-adding the file repairs the store.
    /// </summary>
    private ParameterEntry Reuse(ParameterEntry old, TensorInfo info, ReadOnlyMemory<byte> value, StagingContext context)
    {
        if (old.Update.Type == DenseUpdate.TypeName && !store.Contains(old.Object))
        {
            if (DenseObject.Id(info, value.Span).Oid == old.Object.Oid)
            {
                DenseObject.Stage(context.Transaction, info, value, mayInline: false);
            }
        }

        return old;
    }

    private static byte[] ReadBounded(Stream stream, int limit, out bool complete)
    {
        var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (buffer.Length <= limit)
            {
                var n = stream.Read(chunk);
                if (n == 0)
                {
                    complete = true;
                    return buffer.ToArray();
                }

                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        complete = false;
        return buffer.ToArray();
    }
}
