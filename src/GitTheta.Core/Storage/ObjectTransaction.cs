namespace GitTheta.Core.Storage;

/// <summary>
/// The objects one clean produces. They are written to temp files as they are made and renamed into
/// the store only by <see cref="Commit"/>, after the whole checkpoint was read and found valid:
/// a clean that fails leaves the store exactly as it was.
/// </summary>
internal sealed class ObjectTransaction : IDisposable
{
    private readonly LfsObjectStore store;
    private readonly List<(PendingObject Pending, ObjectRef Reference)> pending = new();
    private readonly HashSet<string> staged = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private readonly bool hashOnly;
    private readonly int inlineBytes;
    private readonly bool overlap;
    private readonly IO.WrittenPages? writtenPages;
    private bool done;

    /// <summary>Values from this size on are hashed on another thread while they are written (see <see cref="Add"/>).</summary>
    internal const int OverlapBytes = 1 << 20;

    /// <param name="inlineBytes">Objects up to this size are not stored: their references carry their bytes, for the metadata (see <see cref="InlineObjects"/>); 0 stores every object.</param>
    /// <param name="maxConcurrency">Above 1, a large value's SHA-256 and its write to the temp file run at once.</param>
    /// <param name="writtenPages">Write-behind for the temp files (see <see cref="IO.WrittenPages"/>), or null.</param>
    public ObjectTransaction(LfsObjectStore store, bool hashOnly = false, int inlineBytes = 0, int maxConcurrency = 1, IO.WrittenPages? writtenPages = null)
    {
        this.store = store;
        this.hashOnly = hashOnly;
        this.inlineBytes = inlineBytes;
        overlap = maxConcurrency > 1;
        this.writtenPages = writtenPages;
    }

    /// <summary>How many new objects this transaction will add to the store.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return pending.Count;
            }
        }
    }

    /// <summary>
    /// Stages an object made of a header and a value; returns its reference. Already-stored content is not written
    /// again; an object small enough to travel in the metadata is not written at all (its reference carries the bytes).
    /// </summary>
    /// <param name="mayInline">False to store the object whatever its size: to repair the store's copy of an object that metadata names as stored.</param>
    public ObjectRef Add(ReadOnlySpan<byte> header, ReadOnlyMemory<byte> value, bool mayInline = true)
    {
        if (overlap && !hashOnly && value.Length >= OverlapBytes)
        {
            return AddOverlapped(header.ToArray(), value, mayInline);
        }

        var reference = ObjectId.Of(header, value.Span);
        if (mayInline && reference.Size <= inlineBytes)
        {
            return InlineObjects.Attach(reference, header, value.Span);
        }

        if (hashOnly || IsKnown(reference))
        {
            return reference;
        }

        Stage(WriteTemp(header, value.Span), reference);
        return reference;
    }

    /// <summary>
    /// <see cref="Add"/> for a large value: its SHA-256 is computed on another thread while it is written to a temp file,
    /// instead of before. Hashing and writing each cost a first add about as much as the LSH on the other core, so in
    /// turn they were the clean's longest path. When the content turns out to be staged or stored already (rare for a
    /// value this large) or small enough to inline, the temp file is dropped: a write spent, nothing changed.
    /// </summary>
    private ObjectRef AddOverlapped(byte[] header, ReadOnlyMemory<byte> value, bool mayInline)
    {
        var hashing = Task.Run(() => ObjectId.Of(header, value.Span));
        PendingObject temp;
        try
        {
            temp = WriteTemp(header, value.Span);
        }
        catch
        {
            // The value's memory belongs to the caller again once this returns: let the hash finish reading it first.
            try
            {
                hashing.Wait();
            }
            catch (AggregateException)
            {
            }

            throw;
        }

        ObjectRef reference;
        try
        {
            reference = hashing.GetAwaiter().GetResult();
        }
        catch
        {
            store.Discard(temp);
            throw;
        }

        if (mayInline && reference.Size <= inlineBytes)
        {
            store.Discard(temp);
            return InlineObjects.Attach(reference, header, value.Span);
        }

        return StageOrDrop(temp, reference);
    }

    /// <summary>Writes an object's bytes to a new temp file of the store; nothing is left behind when that fails.</summary>
    private PendingObject WriteTemp(ReadOnlySpan<byte> header, ReadOnlySpan<byte> value)
    {
        var temp = store.Begin(writtenPages);
        try
        {
            temp.WriteUnhashed(header);
            temp.WriteUnhashed(value);
            temp.CloseFile();
            return temp;
        }
        catch
        {
            store.Discard(temp);
            throw;
        }
    }

    /// <summary>Whether this content is staged by this transaction or in the store already.</summary>
    private bool IsKnown(ObjectRef reference)
    {
        lock (gate)
        {
            if (staged.Contains(reference.Oid))
            {
                return true;
            }
        }

        return store.Contains(reference);
    }

    /// <summary>Stages a written temp file, or drops it when another add staged the same content meanwhile.</summary>
    private void Stage(PendingObject temp, ObjectRef reference)
    {
        lock (gate)
        {
            if (staged.Add(reference.Oid))
            {
                pending.Add((temp, reference));
                return;
            }
        }

        store.Discard(temp);
    }

    /// <summary>Stages a written temp file unless its content is staged or stored already (or nothing is stored): then it is dropped.</summary>
    private ObjectRef StageOrDrop(PendingObject temp, ObjectRef reference)
    {
        bool drop;
        try
        {
            drop = hashOnly || IsKnown(reference);
        }
        catch
        {
            store.Discard(temp);
            throw;
        }

        if (drop)
        {
            store.Discard(temp);
        }
        else
        {
            Stage(temp, reference);
        }

        return reference;
    }

    /// <summary>Starts an object whose value arrives in pieces (see <see cref="StreamedObject"/>); stage it with <see cref="AddStreamed"/>.</summary>
    public StreamedObject BeginStreamed(ReadOnlySpan<byte> header) => new(store, header, writtenPages);

    /// <summary>Stages a streamed object (or drops its temp file when the content is stored or staged already, or nothing is stored).</summary>
    public ObjectRef AddStreamed(StreamedObject streamed)
    {
        var reference = streamed.Finish();
        streamed.HandOver();
        if (reference.Size <= inlineBytes)
        {
            // Small enough to travel in the metadata: the same object whichever path made it, so the metadata does not
            // depend on the chunking settings.
            var bytes = File.ReadAllBytes(streamed.Pending.TempPath);
            store.Discard(streamed.Pending);
            return bytes.Length == reference.Size
                ? reference with { Inline = bytes }
                : throw new IOException($"the temp file of object {reference.Oid} changed while it was written");
        }

        return StageOrDrop(streamed.Pending, reference);
    }

    public void Commit()
    {
        lock (gate)
        {
            foreach (var (temp, reference) in pending)
            {
                store.CommitKnown(temp, reference);
            }

            pending.Clear();
            done = true;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (!done)
            {
                foreach (var (temp, _) in pending)
                {
                    store.Discard(temp);
                }

                pending.Clear();
                done = true;
            }
        }
    }
}
