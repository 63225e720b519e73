using GitTheta.Core.Checkpoints.Safetensors;
using GitTheta.Core.Checkpoints;
using GitTheta.Core.Configuration;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;
using GitTheta.Core.IO;
using GitTheta.Core.Metadata;
using GitTheta.Core.Storage;
using GitTheta.Core.Tensors;
using GitTheta.Core.Updates;

namespace GitTheta.Core.Filters;

/// <summary>
/// The smudge filter (checkout): theta metadata in, the checkpoint out, byte for byte as it was cleaned.
/// Everything that can fail before the first byte is written (parsing, missing objects, fetching,
/// the container) is done in <see cref="Prepare"/>, so git sees one clear error instead of half a file.
/// </summary>
internal sealed class ThetaSmudger
{
    private const int SniffBytes = 4096;

    private readonly LfsObjectStore store;
    private readonly ThetaSettings settings;
    private readonly CheckpointFormatRegistry formats;
    private readonly UpdateTypeRegistry updates;
    private readonly IObjectFetcher? fetcher;

    /// <summary>Values rebuilt from update chains, shared by every checkpoint this smudger (one filter process) writes.</summary>
    private readonly MaterializedValueCache cache = new();

    public ThetaSmudger(ThetaEngine engine)
    {
        store = engine.Store;
        settings = engine.Settings;
        formats = engine.Formats;
        updates = engine.Updates;
        fetcher = engine.Fetcher;
    }

    /// <summary>Reads the request and returns the writer of the reply; content that is not theta metadata is replayed unchanged.</summary>
    public ISmudgeResult Prepare(Stream input, string path)
    {
        var prefix = PrefixedStream.ReadPrefix(input, SniffBytes);
        if (!MetadataSerializer.LooksLikeMetadata(prefix))
        {
            // Checked out as it is, Python git-theta's JSON would stand in place of the checkpoint without a word.
            ReferenceMetadata.ThrowIfReference(prefix, path);
            return new PassThrough(ContentSpool.From(prefix, input));
        }

        var spool = new MemoryStream();
        spool.Write(prefix);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = input.Read(chunk)) > 0)
            {
                spool.Write(chunk, 0, n);
                if (spool.Length > MetadataSerializer.MaxMetadataBytes)
                {
                    return new PassThrough(ContentSpool.From(spool.ToArray(), input));
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        // Bytes that claim to be metadata but do not parse fail here: checked out as text, they would be cleaned
        // next as a checkpoint and fail there with a misleading message.
        var bytes = spool.ToArray();
        var metadata = MetadataSerializer.ParseIfMetadata(bytes, path);
        return metadata is null || IsLeftUnfetched(metadata, path) ? new PassThrough(ContentSpool.From(bytes, Stream.Null)) : PrepareCheckpoint(metadata, path);
    }

    /// <summary>
    /// A partial clone (lfs.fetchexclude, lfs.fetchinclude) keeps the metadata of the files it does not fetch, as git-lfs
    /// keeps their pointers; <c>git theta fetch --include</c> and a checkout of the path bring the bytes later.
    /// </summary>
    private bool IsLeftUnfetched(ThetaMetadata metadata, string path) =>
        fetcher is LfsObjectFetcher { FetchFilter: { IsEverything: false } filter }
        && !filter.Allows(path)
        && metadata.Objects.Any(o => !store.Contains(o));

    /// <summary>
    /// Fetches, in one go, the objects that the metadata among <paramref name="requests"/> needs and the store lacks: a
    /// clone of many checkpoints then starts git-lfs once instead of once per file. Anything that is not sound metadata,
    /// or that a partial clone leaves unfetched, is skipped; whatever this does not fetch, each smudge fetches or
    /// reports itself.
    /// </summary>
    public void Prefetch(IEnumerable<(string Path, byte[] Content)> requests)
    {
        var missing = Missing(requests);
        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            fetcher!.Fetch(missing);
        }
        catch (ThetaException)
        {
            // git-lfs missing, say: each smudge meets the same and says so for its file.
        }
    }

    /// <summary>What <see cref="Prefetch"/> would fetch: the objects the sound metadata among the requests names and the store lacks (none without a fetcher).</summary>
    public IReadOnlyCollection<ObjectRef> Missing(IEnumerable<(string Path, byte[] Content)> requests)
    {
        var missing = new Dictionary<string, ObjectRef>(StringComparer.Ordinal);
        if (fetcher is null)
        {
            return missing.Values;
        }

        foreach (var (path, content) in requests)
        {
            if (!MetadataSerializer.LooksLikeMetadata(content.AsSpan(0, Math.Min(content.Length, SniffBytes))))
            {
                continue;
            }

            try
            {
                if (MetadataSerializer.ParseIfMetadata(content, path) is not { } metadata || IsLeftUnfetched(metadata, path))
                {
                    continue;
                }

                StoredSizes.Check(metadata, store, path);
                foreach (var reference in metadata.Objects)
                {
                    if (!missing.ContainsKey(reference.Oid) && !store.Contains(reference))
                    {
                        missing.Add(reference.Oid, reference);
                    }
                }
            }
            catch (ThetaException)
            {
                // Its own smudge reports it.
            }
        }

        return missing.Values;
    }

    /// <summary>Replays the request unchanged (the blob of a diff, which the diff driver reads as metadata).</summary>
    public static ISmudgeResult Replay(Stream input) => new PassThrough(ContentSpool.From(Array.Empty<byte>(), input));

    /// <summary>Prepares writing the checkpoint that <paramref name="metadata"/> describes.</summary>
    public ISmudgeResult PrepareCheckpoint(ThetaMetadata metadata, string path)
    {
        var format = formats.Get(metadata.CheckpointType, path);
        EnsureObjects(metadata, path);
        var container = ContainerObject.Read(store, metadata.Container, path);
        var layout = format.DescribeContainer(container, path);
        var described = new HashSet<string>(StringComparer.Ordinal);
        foreach (var info in layout)
        {
            described.Add(info.Name);
            if (!metadata.Parameters.TryGetValue(info.Name, out var entry))
            {
                throw new ThetaException(DiagnosticIds.MalformedMetadata, $"{path}: the checkpoint layout names parameter '{info.Name}' but the metadata has no entry for it; restore the file from a good commit.");
            }

            if (!entry.Tensor.ToInfo(info.Name).SameLayout(info))
            {
                throw new ThetaException(DiagnosticIds.MalformedMetadata, $"{path}: parameter '{info.Name}' is {entry.Tensor.DType} [{string.Join(", ", entry.Tensor.Shape)}] in the metadata but {info.DType} {info.ShapeText} in the checkpoint layout; restore the file from a good commit.");
            }

            if (updates.Get(entry.Update.Type, $"{path}: parameter '{info.Name}'").IsIncremental || entry.Update.Depth > 0)
            {
                UpdateChain.Validate(updates, entry, $"{path}: parameter '{info.Name}'", path);
            }
        }

        var extra = metadata.Parameters.Keys.FirstOrDefault(k => !described.Contains(k));
        if (extra is not null)
        {
            throw new ThetaException(DiagnosticIds.MalformedMetadata, $"{path}: the metadata has parameter '{extra}' that the checkpoint layout does not place; restore the file from a good commit.");
        }

        var context = new UpdateContext(store, settings, path) { Updates = updates, Cache = cache, Fetcher = fetcher };
        return new Checkpoint(format, container, layout, new Source(metadata, context), path, info => Streams(info, metadata));
    }

    /// <summary>
    /// Whether a group's value goes straight to the output in chunks instead of being held whole: over the large-group
    /// size always, over the stream size when it is one dense object (read and verified as it streams).
    /// </summary>
    private bool Streams(TensorInfo info, ThetaMetadata metadata) =>
        info.ByteLength > settings.LargeGroupBytes
        || (info.ByteLength > settings.StreamGroupBytes
            && metadata.Parameters.TryGetValue(info.Name, out var entry)
            && entry.Update.Type == DenseUpdate.TypeName
            && entry.Update.Depth == 0);

    private void EnsureObjects(ThetaMetadata metadata, string path)
    {
        StoredSizes.Check(metadata, store, path);

        var missing = MissingObjects.AfterFetching(store, metadata.Objects, fetcher);
        if (missing.Count == 0)
        {
            return;
        }

        var first = missing[0];
        if (first.Oid != metadata.Container.Oid && !metadata.Parameters.Values.Any(p => p.Object.Oid == first.Oid))
        {
            // Not a group's own object: a value further down some group's update chain.
            var (name, entry) = metadata.Parameters.First(p => p.Value.Objects.Any(o => o.Oid == first.Oid));
            throw new ThetaException(DiagnosticIds.MissingObject, UpdateChain.MissingMessage(path, $"{path}: parameter '{name}'", entry, first, missing.Count));
        }

        var group = first.Oid == metadata.Container.Oid
            ? "the checkpoint container"
            : $"parameter '{metadata.Parameters.First(p => p.Value.Object.Oid == first.Oid).Key}'";
        var more = MissingObjects.More(missing.Count);
        throw new ThetaException(
            DiagnosticIds.MissingObject,
            $"{path}: {group} needs object {first.Oid}{more}, which is not in the local store and could not be fetched; make the remote reachable and run 'git theta fetch', then 'git checkout -- {path}'.");
    }

    private sealed class Source : ITensorDataSource
    {
        private readonly ThetaMetadata metadata;
        private readonly UpdateContext context;

        public Source(ThetaMetadata metadata, UpdateContext context)
        {
            this.metadata = metadata;
            this.context = context;
        }

        public void CopyTo(TensorInfo expected, Stream output)
        {
            var entry = metadata.Parameters[expected.Name];
            context.Updates.Get(entry.Update.Type, context.Path).Materialize(context, expected, entry, output);
        }

        public void ReadInto(TensorInfo expected, Memory<byte> destination)
        {
            var entry = metadata.Parameters[expected.Name];
            context.Updates.Get(entry.Update.Type, context.Path).Materialize(context, expected, entry, destination);
        }
    }

    private sealed class Checkpoint : ISmudgeResult
    {
        private readonly ICheckpointFormat format;
        private readonly byte[] container;
        private readonly IReadOnlyList<TensorInfo> layout;
        private readonly Source source;
        private readonly string path;
        private readonly Func<TensorInfo, bool> streamed;

        public Checkpoint(ICheckpointFormat format, byte[] container, IReadOnlyList<TensorInfo> layout, Source source, string path, Func<TensorInfo, bool> streamed)
        {
            this.streamed = streamed;
            this.format = format;
            this.container = container;
            this.layout = layout;
            this.source = source;
            this.path = path;
        }

        public bool IsCheckpoint => true;

        /// <summary>The tensors' bytes and the container's: exact for safetensors, close for formats that add framing.</summary>
        public long? EstimatedLength => container.LongLength + layout.Sum(t => t.ByteLength);

        public void WriteTo(Stream output)
        {
            if (InlineCheckpoint.Applies(layout))
            {
                format.Write(container, new InlineTensorSource(source.ReadInto, source.CopyTo, streamed), output, path);
                return;
            }

            using var prefetching = new PrefetchingTensorSource(layout, source.ReadInto, source.CopyTo, streamed);
            format.Write(container, prefetching, output, path);
        }

        public void Dispose()
        {
        }
    }

    private sealed class PassThrough : ISmudgeResult
    {
        private readonly ContentSpool spool;

        public PassThrough(ContentSpool spool)
        {
            this.spool = spool;
        }

        public bool IsCheckpoint => false;

        public void WriteTo(Stream output) => spool.CopyTo(output);

        public void Dispose() => spool.Dispose();
    }
}
