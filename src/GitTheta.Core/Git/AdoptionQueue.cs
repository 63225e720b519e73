using GitTheta.Core.Storage;

namespace GitTheta.Core.Git;

/// <summary>
/// Adopts what git-lfs downloads into the theta store while git-lfs goes on downloading. Each object is hashed (it
/// becomes canonical only if its bytes are the object) on the thread pool as soon as git-lfs has it, so over a network
/// the hashing hides behind the transfer, and the last objects' hashes run on every core at once instead of one after
/// another once git-lfs is done.
/// </summary>
internal sealed class AdoptionQueue
{
    private readonly LfsObjectStore store;
    private readonly Dictionary<string, Task<bool>> started = new(StringComparer.Ordinal);

    public AdoptionQueue(LfsObjectStore store) => this.store = store;

    /// <summary>Starts adopting an object git-lfs has delivered (once per oid; called from one thread).</summary>
    public void Start(string oid)
    {
        if (!started.ContainsKey(oid))
        {
            started[oid] = Task.Run(() => store.Adopt(oid));
        }
    }

    /// <summary>Waits for every adoption started; their failures are reported by <see cref="Adopted"/>.</summary>
    public void WaitAll()
    {
        foreach (var task in started.Values)
        {
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
            }
        }
    }

    /// <summary>
    /// Whether the theta store now holds the object: the result of its adoption, or, for one never started (git-lfs
    /// answered without listing it), an adoption now when git-lfs's store has it. A failure to read is thrown as it was.
    /// </summary>
    public bool Adopted(string oid) =>
        started.TryGetValue(oid, out var task)
            ? task.GetAwaiter().GetResult()
            : File.Exists(store.LfsPathOf(oid)) && store.Adopt(oid);
}
