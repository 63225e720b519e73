namespace GitTheta.Core.Filters;

/// <summary>
/// Smudges that git let the filter delay (the protocol's <c>delay</c> capability), prepared on a worker thread while
/// git goes on with the rest of the checkout and writes the files already done: a checkout of many small checkpoints
/// then costs git's work or the filter's, whichever is larger, instead of both one after the other.
/// <para>
/// Memory is bounded by a budget: the requests held (metadata) and the replies prepared ahead count against it. A request
/// that does not fit is not delayed; a reply that does not fit (a large checkpoint) is not prepared ahead but written
/// when git asks for it again, streamed as without delay. Only one smudge or clean runs at a time (the handler holds
/// one filter session's state), whichever thread runs it.
/// </para>
/// </summary>
internal sealed class SmudgeAhead : IDisposable
{
    /// <summary>The largest request held for later: metadata of a checkpoint with thousands of groups is still far smaller.</summary>
    public const int MaxRequestBytes = 1 << 20;

    private readonly IFilterHandler handler;
    private readonly object handlerGate;
    private readonly long budget;
    private readonly object state = new();
    private readonly Queue<DelayedSmudge> queue = new();
    private readonly List<DelayedSmudge> finished = new();
    private readonly Dictionary<string, DelayedSmudge> listed = new(StringComparer.Ordinal);
    private readonly HashSet<string> delayedPaths = new(StringComparer.Ordinal);
    private Thread? worker;
    private long held;
    private int unfinished;
    private bool closing;
    private bool requestsComplete;

    public SmudgeAhead(IFilterHandler handler, object handlerGate, long budgetBytes)
    {
        this.handler = handler;
        this.handlerGate = handlerGate;
        budget = budgetBytes;
    }

    /// <summary>Takes a request for later if the budget allows; false leaves it to be served now.</summary>
    public bool TryDelay(string path, byte[] request, string origin)
    {
        lock (state)
        {
            if (closing || held + request.Length > budget || !delayedPaths.Add(path))
            {
                return false;
            }

            var delayed = new DelayedSmudge(path, request, origin) { HeldBytes = request.Length };
            held += delayed.HeldBytes;
            unfinished++;
            queue.Enqueue(delayed);
            if (worker is null)
            {
                worker = new Thread(Work) { IsBackground = true, Name = "git-theta smudge ahead" };
                worker.Start();
            }
            else
            {
                Monitor.PulseAll(state);
            }

            return true;
        }
    }

    /// <summary>
    /// The protocol's <c>list_available_blobs</c>: the paths whose reply is ready, waiting until there is at least one;
    /// empty once nothing delayed is left.
    /// </summary>
    public IReadOnlyList<string> ListAvailable()
    {
        lock (state)
        {
            while (finished.Count == 0 && unfinished > 0)
            {
                Monitor.Wait(state);
            }

            var paths = new List<string>(finished.Count);
            foreach (var done in finished)
            {
                listed[done.Path] = done;
                paths.Add(done.Path);
            }

            finished.Clear();
            return paths;
        }
    }

    /// <summary>The delayed smudge of <paramref name="path"/> that git now asks for, or null when it was not delayed.</summary>
    public DelayedSmudge? Take(string path)
    {
        lock (state)
        {
            // git asks only for listed paths; one asked for before it was listed is waited for, never answered empty.
            while (!listed.ContainsKey(path) && delayedPaths.Contains(path))
            {
                var index = finished.FindIndex(d => d.Path == path);
                if (index >= 0)
                {
                    listed[path] = finished[index];
                    finished.RemoveAt(index);
                    break;
                }

                Monitor.Wait(state);
            }

            if (!listed.Remove(path, out var delayed))
            {
                return null;
            }

            delayedPaths.Remove(path);
            held -= delayed.HeldBytes;
            return delayed;
        }
    }

    public void Dispose()
    {
        lock (state)
        {
            closing = true;
            queue.Clear();
            Monitor.PulseAll(state);
        }
    }

    private void Work()
    {
        while (true)
        {
            List<DelayedSmudge> batch;
            lock (state)
            {
                while (queue.Count == 0 && !closing)
                {
                    Monitor.Wait(state);
                }

                if (closing)
                {
                    return;
                }

                batch = new List<DelayedSmudge>(queue);
                queue.Clear();
            }

            if (!Volatile.Read(ref requestsComplete) && Lacks(batch))
            {
                // A clone: objects must come from the remote. git sends every smudge of a checkout within milliseconds,
                // so wait for the rest and fetch them all with one git-lfs instead of starting one for the first file.
                lock (state)
                {
                    while (!requestsComplete && !closing)
                    {
                        Monitor.Wait(state);
                    }

                    if (closing)
                    {
                        return;
                    }

                    batch.AddRange(queue);
                    queue.Clear();
                }
            }

            Prefetch(batch);
            foreach (var next in batch)
            {
                if (Volatile.Read(ref closing))
                {
                    return;
                }

                Prepare(next);
                lock (state)
                {
                    unfinished--;
                    finished.Add(next);
                    Monitor.PulseAll(state);
                }
            }
        }
    }

    /// <summary>
    /// Git has sent every smudge it may delay (it asked for something else: the available blobs, a clean, a smudge it
    /// does not let wait), so a batch waiting for the rest may start.
    /// </summary>
    public void RequestsComplete()
    {
        if (Volatile.Read(ref requestsComplete))
        {
            return;
        }

        lock (state)
        {
            requestsComplete = true;
            Monitor.PulseAll(state);
        }
    }

    private bool Lacks(List<DelayedSmudge> batch)
    {
        try
        {
            lock (handlerGate)
            {
                return handler.LacksObjects(batch);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>Everything queued while the last batch was prepared: what it needs from a remote is fetched at once.</summary>
    private void Prefetch(List<DelayedSmudge> batch)
    {
        try
        {
            lock (handlerGate)
            {
                handler.Prefetch(batch);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only an optimisation: each smudge fetches what it still lacks, and reports its own failure.
        }
    }

    private void Prepare(DelayedSmudge delayed)
    {
        try
        {
            lock (handlerGate)
            {
                using var result = handler.Smudge(new MemoryStream(delayed.Request, writable: false), delayed.Path);
                var length = result.IsCheckpoint ? result.EstimatedLength : delayed.Request.Length;
                if (length is not { } expected || !Reserve(delayed, expected))
                {
                    return;
                }

                var reply = new MemoryStream((int)expected);
                result.WriteTo(reply);
                delayed.Reply = reply;
            }
        }
        catch (Exception e)
        {
            // Reported when git asks for the file again, as the same request without delay would be.
            delayed.Reply = null;
            delayed.Failure = e;
        }
    }

    /// <summary>Room for a reply prepared ahead: at most a quarter of the budget each, so one large file never crowds out the rest.</summary>
    private bool Reserve(DelayedSmudge delayed, long bytes)
    {
        lock (state)
        {
            if (bytes > budget / 4 || bytes > Array.MaxLength || held + bytes > budget)
            {
                return false;
            }

            held += bytes;
            delayed.HeldBytes += bytes;
            return true;
        }
    }
}
